import { describe, expect, it } from "vitest";
import { createRestRateLimiter, MAX_TRACKED } from "./rest-rate.js";

describe("createRestRateLimiter", () => {
  it("allows a burst of twice the rate, then refills at the rate", () => {
    const limiter = createRestRateLimiter(5);
    const t = 1_000_000;
    for (let i = 0; i < 10; i++) expect(limiter.take("k", t)).toBe(true);
    expect(limiter.take("k", t)).toBe(false);
    expect(limiter.take("k", t + 199)).toBe(false);
    expect(limiter.take("k", t + 200)).toBe(true); // 5/s: one token per 200 ms
    expect(limiter.take("k", t + 200)).toBe(false);
  });

  it("keeps names apart", () => {
    const limiter = createRestRateLimiter(1);
    expect(limiter.take("a", 0)).toBe(true);
    expect(limiter.take("a", 0)).toBe(true);
    expect(limiter.take("a", 0)).toBe(false);
    expect(limiter.take("b", 0)).toBe(true);
  });

  it("spent() charges nothing and is false for names never charged", () => {
    const limiter = createRestRateLimiter(1);
    expect(limiter.spent("ip", 0)).toBe(false);
    limiter.take("ip", 0);
    expect(limiter.spent("ip", 0)).toBe(false);
    limiter.take("ip", 0);
    expect(limiter.spent("ip", 0)).toBe(true);
    expect(limiter.spent("ip", 0)).toBe(true);
    expect(limiter.spent("ip", 1_000)).toBe(false);
    expect(limiter.take("ip", 1_000)).toBe(true);
    expect(limiter.spent("ip", 1_000)).toBe(true);
  });

  it("forgets refilled buckets first, and everything when a flood of names fills the map", () => {
    const limiter = createRestRateLimiter(1);
    for (let i = 0; i < MAX_TRACKED; i++) {
      limiter.take(`ip-${i}`, 0);
      limiter.take(`ip-${i}`, 0);
    }
    expect(limiter.spent("ip-0", 0)).toBe(true);
    // Nothing has refilled yet, so the next new name clears the map: failing open, not growing.
    expect(limiter.take("one-more", 0)).toBe(true);
    expect(limiter.spent("ip-0", 0)).toBe(false);
  });
});
