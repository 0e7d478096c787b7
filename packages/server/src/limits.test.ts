import { describe, expect, it } from "vitest";
import { effectiveMaxConnections } from "./fd-limit.js";
import { createConnectRateLimiter } from "./http/connect-rate.js";
import { createTokenBucket } from "./token-bucket.js";

describe("token bucket", () => {
  it("allows a burst, then refills at the sustained rate", () => {
    const bucket = createTokenBucket(100, 200, 0);
    for (let i = 0; i < 200; i++) expect(bucket.take(0)).toBe(true);
    expect(bucket.take(0)).toBe(false);
    expect(bucket.take(10)).toBe(true); // 10 ms at 100/s = one token
    expect(bucket.take(10)).toBe(false);
    for (let i = 0; i < 200; i++) expect(bucket.take(60_000)).toBe(true); // refill caps at the burst
    expect(bucket.take(60_000)).toBe(false);
  });
});

describe("token bucket charge", () => {
  it("takes several tokens at once, and empties the bucket when they are not all there", () => {
    const bucket = createTokenBucket(100, 200, 0);
    expect(bucket.charge(150, 0)).toBe(true);
    expect(bucket.charge(51, 0)).toBe(false);
    expect(bucket.take(0)).toBe(false); // emptied, not left at 50
    expect(bucket.charge(5, 50)).toBe(true); // 50 ms at 100/s = five tokens
    expect(bucket.take(50)).toBe(false);
  });
});

describe("per-IP connect rate", () => {
  it("counts attempts per IP in a window", () => {
    const limiter = createConnectRateLimiter(3, 1000);
    expect(limiter.enabled).toBe(true);
    expect([1, 2, 3, 4].map(() => limiter.allow("1.1.1.1", 0))).toEqual([true, true, true, false]);
    expect(limiter.allow("2.2.2.2", 0)).toBe(true);
    expect(limiter.allow("1.1.1.1", 1000)).toBe(true);
    limiter.close();
  });

  it("is disabled by a limit of 0", () => {
    const limiter = createConnectRateLimiter(0, 1000);
    expect(limiter.enabled).toBe(false);
    for (let i = 0; i < 10_000; i++) expect(limiter.allow("1.1.1.1", 0)).toBe(true);
    limiter.close();
  });
});

describe("connection cap", () => {
  it("stays below the open-file limit", () => {
    expect(effectiveMaxConnections(undefined, 20_000)).toBe(19_488);
    expect(effectiveMaxConnections(50_000, 20_000)).toBe(19_488);
    expect(effectiveMaxConnections(100, 20_000)).toBe(100);
    expect(effectiveMaxConnections(undefined, 10)).toBe(1);
  });
});
