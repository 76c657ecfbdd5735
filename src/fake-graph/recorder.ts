// What the fake received: accepted events (bounded, oldest dropped), a bounded request log, counters
// that survive the bounds, OpenBridge registrations, and listeners for tests awaiting events.

export interface RecordedEvent {
  pixel_id: string;
  /** ms since epoch. */
  received_at: number;
  test_event_code: string | null;
  access_token_last4: string;
  /** The event exactly as received. */
  event: Record<string, unknown>;
}

export interface RequestLogEntry {
  pixel_id: string | null;
  /** Path without the query string (which may carry the token). */
  path: string;
  /** HTTP status answered; 0 when the connection was dropped or left hanging. */
  status: number;
  /** Events in the request body (0 when not an events request or unparsable). */
  events: number;
  error_code: number | null;
  received_at: number;
  duration_ms: number;
}

export interface PixelStats {
  requests: number;
  eventsAccepted: number;
  eventsRejected: number;
}

export interface FakeGraphStats extends PixelStats {
  byPixel: Record<string, PixelStats>;
}

export interface OpenBridgeConfiguration {
  id: string;
  business_id: string;
  pixel_id: string;
  access_token_last4: string;
  /** Every other parameter sent, as strings. */
  fields: Record<string, string>;
  created_at: number;
}

export interface WaitOptions {
  pixelId?: string;
  timeoutMs?: number;
}

/** Fixed-capacity FIFO: pushes are O(1) once full, unlike shifting an array of 200,000 items. */
export class RingBuffer<T> {
  private items: (T | undefined)[] = [];
  private start = 0;
  private count = 0;

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.count;
  }

  push(item: T): void {
    if (this.capacity <= 0) return;
    if (this.count < this.capacity) {
      this.items[(this.start + this.count) % this.capacity] = item;
      this.count++;
    } else {
      this.items[this.start] = item;
      this.start = (this.start + 1) % this.capacity;
    }
  }

  toArray(filter?: (item: T) => boolean): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.count; i++) {
      const item = this.items[(this.start + i) % this.capacity] as T;
      if (!filter || filter(item)) out.push(item);
    }
    return out;
  }

  clear(): void {
    this.items = [];
    this.start = 0;
    this.count = 0;
  }
}

interface Waiter {
  count: number;
  pixelId: string | undefined;
  resolve: (events: RecordedEvent[]) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export class Recorder {
  private readonly recorded: RingBuffer<RecordedEvent>;
  private readonly log = new RingBuffer<RequestLogEntry>(10_000);
  private totals: PixelStats = emptyStats();
  private byPixel = new Map<string, PixelStats>();
  private openbridge: OpenBridgeConfiguration[] = [];
  private waiters = new Set<Waiter>();

  constructor(recordLimit = 200_000) {
    this.recorded = new RingBuffer(recordLimit);
  }

  accepted(pixelId: string, events: Record<string, unknown>[], testEventCode: string | null, token: string): void {
    const received_at = Date.now();
    const access_token_last4 = token.slice(-4);
    for (const event of events) {
      this.recorded.push({
        pixel_id: pixelId,
        received_at,
        test_event_code: testEventCode,
        access_token_last4,
        event,
      });
    }
    this.totals.eventsAccepted += events.length;
    this.pixel(pixelId).eventsAccepted += events.length;
    if (this.waiters.size > 0) this.notify();
  }

  rejected(pixelId: string, count: number): void {
    this.totals.eventsRejected += count;
    this.pixel(pixelId).eventsRejected += count;
  }

  request(entry: RequestLogEntry): void {
    this.log.push(entry);
    this.totals.requests++;
    if (entry.pixel_id !== null) this.pixel(entry.pixel_id).requests++;
  }

  addOpenBridge(config: OpenBridgeConfiguration): void {
    this.openbridge.push(config);
  }

  events(pixelId?: string): RecordedEvent[] {
    return pixelId === undefined ? this.recorded.toArray() : this.recorded.toArray((e) => e.pixel_id === pixelId);
  }

  requests(): RequestLogEntry[] {
    return this.log.toArray();
  }

  openBridgeConfigurations(): OpenBridgeConfiguration[] {
    return [...this.openbridge];
  }

  stats(): FakeGraphStats {
    const byPixel: Record<string, PixelStats> = {};
    for (const [id, s] of this.byPixel) byPixel[id] = { ...s };
    return { ...this.totals, byPixel };
  }

  /** Clears records and counters; pending waiters keep waiting and count from zero. */
  reset(): void {
    this.recorded.clear();
    this.log.clear();
    this.totals = emptyStats();
    this.byPixel.clear();
    this.openbridge = [];
  }

  /** Resolves once `count` events were accepted since the last reset (for the pixel, if given). */
  waitForEvents(count: number, opts: WaitOptions = {}): Promise<RecordedEvent[]> {
    const { pixelId } = opts;
    if (this.acceptedCount(pixelId) >= count) return Promise.resolve(this.events(pixelId));
    const timeoutMs = opts.timeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        count,
        pixelId,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          const scope = pixelId === undefined ? '' : ` for pixel ${pixelId}`;
          reject(
            new Error(
              `fake-graph: timed out after ${timeoutMs} ms waiting for ${count} events${scope}; ${this.acceptedCount(pixelId)} accepted so far`,
            ),
          );
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  /** Fails every pending wait, e.g. when the server closes. */
  abortWaiters(reason: string): void {
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.reject(new Error(`fake-graph: ${reason}`));
    }
    this.waiters.clear();
  }

  private acceptedCount(pixelId: string | undefined): number {
    return pixelId === undefined ? this.totals.eventsAccepted : (this.byPixel.get(pixelId)?.eventsAccepted ?? 0);
  }

  private notify(): void {
    for (const w of this.waiters) {
      if (this.acceptedCount(w.pixelId) < w.count) continue;
      clearTimeout(w.timer);
      this.waiters.delete(w);
      w.resolve(this.events(w.pixelId));
    }
  }

  private pixel(id: string): PixelStats {
    let s = this.byPixel.get(id);
    if (!s) {
      s = emptyStats();
      this.byPixel.set(id, s);
    }
    return s;
  }
}

function emptyStats(): PixelStats {
  return { requests: 0, eventsAccepted: 0, eventsRejected: 0 };
}
