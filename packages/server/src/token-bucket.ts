/**
 * A token bucket: `capacity` tokens, refilled continuously at `ratePerSec`. Starts full.
 * Returns false from `take()` when empty (the caller decides what that means: 4011 for frames).
 */
export interface TokenBucket {
  /** Most tokens it holds (the burst); coverage bounds derive from it (auth/coverage-budget.ts). */
  readonly capacity: number;
  take(nowMs?: number): boolean;
  /**
   * Takes `count` tokens at once (work a frame caused beyond the frame itself). False, and the
   * bucket left empty, when fewer than `count` were there: the caller closes as for `take()`.
   */
  charge(count: number, nowMs?: number): boolean;
}

/** A class, not a closure: every connection holds one, and fields cost less than a closure and its context. */
class Bucket implements TokenBucket {
  private tokens: number;
  private readonly perMs: number;

  constructor(
    ratePerSec: number,
    readonly capacity: number,
    private last: number,
  ) {
    this.tokens = capacity;
    this.perMs = ratePerSec / 1000;
  }

  take(now = Date.now()): boolean {
    return this.charge(1, now);
  }

  charge(count: number, now = Date.now()): boolean {
    if (now > this.last) {
      this.tokens = Math.min(this.capacity, this.tokens + (now - this.last) * this.perMs);
      this.last = now;
    }
    if (this.tokens < count) {
      this.tokens = 0;
      return false;
    }
    this.tokens -= count;
    return true;
  }
}

/** Creates a {@link TokenBucket}; a `ratePerSec` of 0 never refills. */
export function createTokenBucket(ratePerSec: number, capacity: number, nowMs = Date.now()): TokenBucket {
  return new Bucket(ratePerSec, capacity, nowMs);
}
