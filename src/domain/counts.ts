// Per-minute counters are kept per account, pixel, event name and website domain, and outcome.
// outcome: received | published | deduplicated | dead_lettered | dropped.<reason>

export interface CountKey {
  tenantId: string;
  pixelId: string;
  eventName: string;
  domain: string;
  outcome: string;
}

export interface CountRow extends CountKey {
  count: number;
}

/** Adds up counts in memory so one write carries many events. */
export class Counts {
  private readonly rows = new Map<string, CountRow>();

  add(key: CountKey, n = 1): void {
    const id = `${key.tenantId}\u0000${key.pixelId}\u0000${key.eventName}\u0000${key.domain}\u0000${key.outcome}`;
    const row = this.rows.get(id);
    if (row) row.count += n;
    else this.rows.set(id, { ...key, count: n });
  }

  merge(other: Counts): void {
    for (const r of other.list()) this.add(r, r.count);
  }

  get size(): number {
    return this.rows.size;
  }

  /** Sorted, so concurrent writers lock rows in one order and never deadlock. */
  list(): CountRow[] {
    return [...this.rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
  }
}
