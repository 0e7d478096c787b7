/**
 * A token bucket: `capacity` tokens, refilled continuously at `ratePerSec`. Starts full.
 * Returns false from `take()` when empty (the caller decides what that means: 4011 for frames).
 */
export interface TokenBucket {
  take(nowMs?: number): boolean;
}

/** Creates a {@link TokenBucket}; a `ratePerSec` of 0 never refills. */
export function createTokenBucket(ratePerSec: number, capacity: number, nowMs = Date.now()): TokenBucket {
  let tokens = capacity;
  let last = nowMs;
  const perMs = ratePerSec / 1000;
  return {
    take(now = Date.now()) {
      if (now > last) {
        tokens = Math.min(capacity, tokens + (now - last) * perMs);
        last = now;
      }
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
}
