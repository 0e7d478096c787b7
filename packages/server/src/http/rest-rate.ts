/**
 * Token buckets for the REST API, one per name (a key id, or a client IP for failed attempts):
 * `ratePerSec` sustained with a burst of twice that, the same shape as the per-connection frame
 * bucket. Unlike `createTokenBucket` (token-bucket.ts) it can be asked whether a name is spent without
 * charging it, which the failed-auth limit needs (only failures cost, but a spent IP is refused
 * before its credentials are even checked).
 *
 * Memory stays bounded without a timer: a bucket that has refilled completely is equivalent to no
 * bucket, so such entries are swept whenever the map grows past {@link MAX_TRACKED}; if a flood
 * of distinct names keeps it full, everything is forgotten (failing open beats growing forever).
 */
export interface RestRateLimiter {
  /** Charges one request to `name`; false when its bucket is empty (nothing charged). */
  take(name: string, nowMs?: number): boolean;
  /** Whether `name`'s bucket is empty right now; charges nothing. */
  spent(name: string, nowMs?: number): boolean;
}

/** Names tracked before idle (full) buckets are swept. */
export const MAX_TRACKED = 10_000;

interface Bucket {
  tokens: number;
  lastMs: number;
}

/** Creates a {@link RestRateLimiter}: `ratePerSec` per name per second, burst `2 × ratePerSec`. */
export function createRestRateLimiter(ratePerSec: number): RestRateLimiter {
  const capacity = 2 * ratePerSec;
  const perMs = ratePerSec / 1000;
  // How long an emptied bucket takes to be full again, i.e. indistinguishable from a new one.
  const refillMs = capacity / perMs;
  const buckets = new Map<string, Bucket>();

  function sweep(nowMs: number): void {
    for (const [name, bucket] of buckets) if (nowMs - bucket.lastMs >= refillMs) buckets.delete(name);
    if (buckets.size >= MAX_TRACKED) buckets.clear();
  }

  function refilled(name: string, nowMs: number): Bucket {
    let bucket = buckets.get(name);
    if (!bucket) {
      if (buckets.size >= MAX_TRACKED) sweep(nowMs);
      bucket = { tokens: capacity, lastMs: nowMs };
      buckets.set(name, bucket);
    } else if (nowMs > bucket.lastMs) {
      bucket.tokens = Math.min(capacity, bucket.tokens + (nowMs - bucket.lastMs) * perMs);
      bucket.lastMs = nowMs;
    }
    return bucket;
  }

  return {
    take(name, nowMs = Date.now()) {
      const bucket = refilled(name, nowMs);
      if (bucket.tokens < 1) return false;
      bucket.tokens -= 1;
      return true;
    },
    spent(name, nowMs = Date.now()) {
      const bucket = buckets.get(name);
      return bucket !== undefined && refilled(name, nowMs).tokens < 1;
    },
  };
}
