import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Liveness } from "./liveness.js";

describe("Liveness", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("pings halfway through the window and reports inactivity at its end", () => {
    const events: string[] = [];
    const liveness = new Liveness(
      10_000,
      () => events.push(`ping@${Date.now()}`),
      () => events.push(`inactive@${Date.now()}`),
    );
    const t0 = Date.now();
    liveness.arm();
    vi.advanceTimersByTime(20_000);
    expect(events).toEqual([`ping@${t0 + 5_000}`, `inactive@${t0 + 10_000}`]);
  });

  it("caps the keepalive at 25 s for long windows", () => {
    const ping = vi.fn();
    const liveness = new Liveness(120_000, ping, () => {});
    liveness.arm();
    vi.advanceTimersByTime(24_999);
    expect(ping).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(ping).toHaveBeenCalledTimes(1);
  });

  it("re-arming restarts both timers", () => {
    const inactive = vi.fn();
    const liveness = new Liveness(10_000, () => {}, inactive);
    liveness.arm();
    vi.advanceTimersByTime(9_000);
    liveness.arm();
    vi.advanceTimersByTime(9_000);
    expect(inactive).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1_000);
    expect(inactive).toHaveBeenCalledTimes(1);
  });

  it("stop() clears both timers, and a window ≤ 0 never arms", () => {
    const calls = vi.fn();
    const stopped = new Liveness(10_000, calls, calls);
    stopped.arm();
    stopped.stop();
    new Liveness(0, calls, calls).arm();
    vi.advanceTimersByTime(60_000);
    expect(calls).not.toHaveBeenCalled();
  });
});
