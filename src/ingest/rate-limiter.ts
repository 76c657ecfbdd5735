// Token buckets that keep one client or one account from taking the gateway for itself: per client
// IP (requests) and per account (events). Answers are data: ok, or wait this long.
//
// Buckets live in the process. The worker processes of one gateway (CAPIG_WORKERS) share their
// limits: each worker decides from its own buckets at once, and every SYNC_MS tells the others
// what it took, which they take from their buckets too (a bucket may go below zero). Over time the
// workers together admit the configured rate exactly; within one sync window they may admit at
// most what every worker's bucket held. Separate instances on one database do not share them: with
// M instances the effective limit is M times the configured one.

export interface RateLimit {
  /** Sustained rate per second. */
  perSec: number;
  /** How much may arrive at once after a quiet spell. */
  burst: number;
}

export type Admission = { ok: true } | { ok: false; retryAfterSec: number };

interface Bucket {
  tokens: number;
  at: number;
}

/** Buckets beyond this many are swept of full (idle) ones, so spoofed keys cannot grow memory. */
const MAX_BUCKETS = 100_000;

export function createBuckets(limit: RateLimit, now: () => number = Date.now) {
  const buckets = new Map<string, Bucket>();

  function refill(b: Bucket, t: number): void {
    b.tokens = Math.min(limit.burst, b.tokens + ((t - b.at) / 1000) * limit.perSec);
    b.at = t;
  }

  function sweep(t: number): void {
    for (const [key, b] of buckets) {
      refill(b, t);
      if (b.tokens >= limit.burst) buckets.delete(key);
    }
    // Still too many (a flood of distinct keys): forget the oldest; they start again full.
    for (const key of buckets.keys()) {
      if (buckets.size <= MAX_BUCKETS / 2) break;
      buckets.delete(key);
    }
  }

  /** The key's bucket, refilled to now (a new one starts full). */
  function current(key: string): Bucket {
    const t = now();
    let b = buckets.get(key);
    if (!b) {
      if (buckets.size >= MAX_BUCKETS) sweep(t);
      b = { tokens: limit.burst, at: t };
      buckets.set(key, b);
    } else refill(b, t);
    return b;
  }

  return {
    /** Takes n tokens if all are there; otherwise takes none and says when they will be. */
    take(key: string, n = 1): Admission {
      const b = current(key);
      if (b.tokens >= n) {
        b.tokens -= n;
        return { ok: true };
      }
      // A request larger than the burst can never pass whole: say when a full bucket is back.
      const missing = Math.min(n, limit.burst) - b.tokens;
      return { ok: false, retryAfterSec: Math.max(1, Math.ceil(missing / limit.perSec)) };
    },
    /** Takes n tokens whatever is left (another worker already admitted them): may go below zero. */
    debit(key: string, n: number): void {
      current(key).tokens -= n;
    },
    size: () => buckets.size,
  };
}

/** What one worker admitted since its last report, per key: requests per IP, events per account. */
export interface LimiterSpend {
  ips: Array<[string, number]>;
  accounts: Array<[string, number]>;
}

export interface IngestLimits {
  /** Requests per client IP; null: no limit. */
  perIp: RateLimit | null;
  /** Events per account; null: no limit. */
  perAccount: RateLimit | null;
}

export function createIngestLimiter(limits: IngestLimits, now?: () => number) {
  const ips = limits.perIp ? createBuckets(limits.perIp, now) : null;
  const accounts = limits.perAccount ? createBuckets(limits.perAccount, now) : null;
  // Kept only when a sync reads them (several workers): a single process has nobody to tell.
  let spent: { ips: Map<string, number>; accounts: Map<string, number> } | null = null;
  const note = (m: Map<string, number>, key: string, n: number) => m.set(key, (m.get(key) ?? 0) + n);
  return {
    request(ip: string | null): Admission {
      if (!ips || !ip) return { ok: true };
      const a = ips.take(ip);
      if (a.ok && spent) note(spent.ips, ip, 1);
      return a;
    },
    events(tenantId: string, count: number): Admission {
      if (!accounts) return { ok: true };
      const a = accounts.take(tenantId, count);
      if (a.ok && spent) note(spent.accounts, tenantId, count);
      return a;
    },
    /** What was admitted here since the last call (and starts keeping count); null when nothing. */
    takeSpend(): LimiterSpend | null {
      const out = spent;
      spent = { ips: new Map(), accounts: new Map() };
      if (!out || (out.ips.size === 0 && out.accounts.size === 0)) return null;
      return { ips: [...out.ips], accounts: [...out.accounts] };
    },
    /** What other workers admitted: taken from these buckets too. */
    applySpend(other: LimiterSpend): void {
      for (const [key, n] of other.ips) ips?.debit(key, n);
      for (const [key, n] of other.accounts) accounts?.debit(key, n);
    },
  };
}

export type IngestLimiter = ReturnType<typeof createIngestLimiter>;
