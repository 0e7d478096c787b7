import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { runAt } from "./timers.js";

describe("runAt", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("runs at the instant, not before", () => {
    const fn = vi.fn();
    runAt(1_005_000, fn);
    vi.advanceTimersByTime(4_999);
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it("serves every call for one instant with one timer, in call order", () => {
    const order: string[] = [];
    runAt(1_002_000, () => order.push("a"));
    runAt(1_002_000, () => order.push("b"));
    runAt(1_003_000, () => order.push("c"));
    expect(vi.getTimerCount()).toBe(2);
    vi.advanceTimersByTime(3_000);
    expect(order).toEqual(["a", "b", "c"]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("runs the same callback once per call", () => {
    const fn = vi.fn();
    runAt(1_001_000, fn);
    runAt(1_001_000, fn);
    vi.advanceTimersByTime(1_000);
    expect(fn).toHaveBeenCalledTimes(2);
  });

  it("disposes one call without touching the others; the last one stops the timer", () => {
    const a = vi.fn();
    const b = vi.fn();
    const disposeA = runAt(1_001_000, a);
    const disposeB = runAt(1_001_000, b);
    disposeA();
    disposeA(); // twice is harmless
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(1_000);
    expect(a).not.toHaveBeenCalled();
    expect(b).toHaveBeenCalledTimes(1);

    const c = vi.fn();
    const disposeC = runAt(1_005_000, c);
    disposeC();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(10_000);
    expect(c).not.toHaveBeenCalled();
    disposeB(); // after it ran: harmless
  });

  it("a disposer of a call that already ran does not cancel a later call for the same instant", () => {
    const first = vi.fn();
    const disposeFirst = runAt(1_001_000, first);
    vi.advanceTimersByTime(1_000);
    const late = vi.fn();
    runAt(1_001_000, late); // now in the past
    disposeFirst();
    vi.advanceTimersByTime(0);
    expect(first).toHaveBeenCalledTimes(1);
    expect(late).toHaveBeenCalledTimes(1);
  });

  it("lets a callback dispose another one due at the same instant", () => {
    const b = vi.fn();
    let disposeB = () => {};
    runAt(1_001_000, () => disposeB());
    disposeB = runAt(1_001_000, b);
    vi.advanceTimersByTime(1_000);
    expect(b).not.toHaveBeenCalled();
  });

  it("runs an instant in the past at once", () => {
    const fn = vi.fn();
    runAt(0, fn);
    vi.advanceTimersByTime(0);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it("waits beyond setTimeout's 24.8-day cap", () => {
    const fn = vi.fn();
    const days = 30 * 24 * 3600 * 1000;
    runAt(1_000_000 + days, fn);
    vi.advanceTimersByTime(days - 1);
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fn).toHaveBeenCalledTimes(1);
  });
});
