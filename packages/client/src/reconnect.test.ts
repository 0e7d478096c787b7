import { describe, expect, it } from "vitest";
import { DEFAULT_RECONNECT, MAX_GOING_AWAY_DELAY_MS, reconnectDelay } from "./reconnect.js";

const policy = { ...DEFAULT_RECONNECT };
const mid = () => 0.5; // no jitter

describe("reconnectDelay", () => {
  it("grows exponentially from initialDelayMs and caps at maxDelayMs", () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) =>
      reconnectDelay(n, "backoff", policy, undefined, mid),
    );
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });

  it("keeps jitter within ±jitterRatio, uniformly from Math.random", () => {
    expect(reconnectDelay(3, "backoff", policy, undefined, () => 0)).toBe(1600);
    expect(reconnectDelay(3, "backoff", policy, undefined, () => 1)).toBe(2400);
    expect(reconnectDelay(3, "backoff", policy, undefined, () => 0.75)).toBe(2200);
    for (let i = 0; i < 200; i++) {
      const d = reconnectDelay(7, "backoff", policy) as number;
      expect(d).toBeGreaterThanOrEqual(24_000);
      expect(d).toBeLessThanOrEqual(36_000);
    }
  });

  it("reads Math.random per call when no source is given", () => {
    const original = Math.random;
    Math.random = () => 0;
    try {
      expect(reconnectDelay(1, "backoff", policy)).toBe(400);
    } finally {
      Math.random = original;
    }
  });

  it("gives up after maxAttempts and on terminal closes", () => {
    const p = { ...policy, maxAttempts: 3 };
    expect(reconnectDelay(3, "backoff", p, undefined, mid)).toBe(2000);
    expect(reconnectDelay(4, "backoff", p, undefined, mid)).toBeNull();
    expect(reconnectDelay(1, "terminal", p, undefined, mid)).toBeNull();
    expect(reconnectDelay(1, "backoff", { ...p, maxAttempts: 0 }, undefined, mid)).toBeNull();
    expect(
      reconnectDelay(1e6, "backoff", { ...p, maxAttempts: Number.POSITIVE_INFINITY }, undefined, mid),
    ).toBe(30_000);
  });

  it("slow-backoff waits maxDelayMs (jittered) from the first retry", () => {
    expect(reconnectDelay(1, "slow-backoff", policy, undefined, mid)).toBe(30_000);
    expect(reconnectDelay(1, "slow-backoff", policy, undefined, () => 0)).toBe(24_000);
  });

  it("fresh-token reconnects at once", () => {
    expect(reconnectDelay(1, "fresh-token", policy, undefined, mid)).toBe(0);
    expect(reconnectDelay(9, "fresh-token", policy, undefined, mid)).toBe(0);
  });

  it("going-away waits retryAfterMs plus 0..jitterRatio of it, clamped", () => {
    expect(reconnectDelay(1, "going-away", policy, 5000, () => 0)).toBe(5000);
    expect(reconnectDelay(1, "going-away", policy, 5000, () => 1)).toBe(6000);
    expect(reconnectDelay(1, "going-away", policy, 60_000, () => 0)).toBe(60_000); // above maxDelayMs
    expect(reconnectDelay(1, "going-away", policy, 1e12, () => 0)).toBe(MAX_GOING_AWAY_DELAY_MS);
    expect(reconnectDelay(1, "going-away", policy, -5, () => 0)).toBe(0);
    // Without a going_away frame: ordinary backoff.
    expect(reconnectDelay(2, "going-away", policy, undefined, mid)).toBe(1000);
  });
});
