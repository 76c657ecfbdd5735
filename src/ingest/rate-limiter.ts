// Token buckets that keep one client or one account from taking the gateway for itself: per client
// IP (requests) and per account (events). Buckets live in this process, so with N instances the
// effective limit is N times the configured one. Answers are data: ok, or wait this long.

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

  return {
    /** Takes n tokens if all are there; otherwise takes none and says when they will be. */
    take(key: string, n = 1): Admission {
      const t = now();
      let b = buckets.get(key);
      if (!b) {
        if (buckets.size >= MAX_BUCKETS) sweep(t);
        b = { tokens: limit.burst, at: t };
        buckets.set(key, b);
      } else refill(b, t);
      if (b.tokens >= n) {
        b.tokens -= n;
        return { ok: true };
      }
      // A request larger than the burst can never pass whole: say when a full bucket is back.
      const missing = Math.min(n, limit.burst) - b.tokens;
      return { ok: false, retryAfterSec: Math.max(1, Math.ceil(missing / limit.perSec)) };
    },
    size: () => buckets.size,
  };
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
  return {
    request(ip: string | null): Admission {
      return ips && ip ? ips.take(ip) : { ok: true };
    },
    events(tenantId: string, count: number): Admission {
      return accounts ? accounts.take(tenantId, count) : { ok: true };
    },
  };
}

export type IngestLimiter = ReturnType<typeof createIngestLimiter>;
