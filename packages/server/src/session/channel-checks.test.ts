import { CloseCode, channelError, patternCoverage, wildcardRuns } from "@switchboard/protocol";
import { describe, expect, it } from "vitest";
import { COVERAGE_BUDGET, COVERAGE_STEPS_PER_FRAME } from "../auth/coverage-budget.js";
import { createScope } from "../auth/scope.js";
import { testApp, testConnection } from "../test-support.js";
import { dispatchFrame } from "./dispatch.js";

const SCOPE = ["a/*", "*/b", "**/c"];
// Found by a search for expensive patterns within the 8-run limit: against SCOPE its inclusion
// search runs into the library's own bound (≈ 500,000 transitions).
const CRAFTED =
  "**cba*a/b*a/*aa/*aaaaaaa/aaaaaa**baaaaaaaaaaaaabba*aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa**aaaacaaaaabaaaaaaaaaabaaba/aa/c";
const SUBSCRIBE_COVERAGE_MAX_STEPS = COVERAGE_BUDGET;

describe("wildcard subscribe: coverage work is charged to the rate budget", () => {
  it("acks ordinary wildcard subscriptions without charging extra", () => {
    const app = testApp();
    const c = testConnection(app, "p", { scope: createScope(SCOPE, ["subscribe"]) });
    for (const channel of ["a/*", "a/b*", "q/*/c", "**/c"]) {
      expect(patternCoverage(channel, SCOPE).steps).toBeLessThan(COVERAGE_STEPS_PER_FRAME);
      dispatchFrame(c, JSON.stringify({ type: "subscribe", channel, requestId: channel }));
      expect(c.transport.frames.at(-1)).toEqual({ type: "ack", requestId: channel });
    }
    expect(c.transport.closed).toBeUndefined();
    expect(c.subscriptions.size).toBe(4);
  });

  it("closes with 4011 a connection whose subscribe made the server search past its budget", () => {
    expect(wildcardRuns(CRAFTED)).toBe(8);
    expect(channelError(CRAFTED)).toBeNull();
    expect(patternCoverage(CRAFTED, SCOPE).steps).toBeGreaterThan(200 * COVERAGE_STEPS_PER_FRAME);
    const app = testApp();
    const c = testConnection(app, "p", { scope: createScope(SCOPE, ["subscribe"]) });
    dispatchFrame(c, JSON.stringify({ type: "subscribe", channel: CRAFTED, requestId: "x" }));
    expect(c.transport.closed?.code).toBe(CloseCode.OverMessageRate);
    expect(c.subscriptions.size).toBe(0);
    expect(c.transport.frames.some((f) => (f as { type: string }).type === "ack")).toBe(false);
  });

  it("bounds the search of a subscribe far below the library's bound", () => {
    const unbounded = patternCoverage(CRAFTED, SCOPE);
    const bounded = patternCoverage(CRAFTED, SCOPE, SUBSCRIBE_COVERAGE_MAX_STEPS);
    expect(unbounded.steps).toBeGreaterThan(10 * SUBSCRIBE_COVERAGE_MAX_STEPS);
    expect(bounded.covered).toBe(false);
    expect(bounded.steps).toBeGreaterThan(SUBSCRIBE_COVERAGE_MAX_STEPS);
    expect(bounded.steps).toBeLessThan(SUBSCRIBE_COVERAGE_MAX_STEPS + 1_000);
  });

  it("answers a cheap search that proves non-coverage with the usual error, charging nothing", () => {
    const app = testApp();
    const c = testConnection(app, "p", { scope: createScope(SCOPE, ["subscribe"]) });
    const { steps, covered } = patternCoverage("**/b*", SCOPE);
    expect(covered).toBe(false);
    expect(steps).toBeGreaterThan(0);
    expect(steps).toBeLessThan(COVERAGE_STEPS_PER_FRAME);
    dispatchFrame(c, JSON.stringify({ type: "subscribe", channel: "**/b*", requestId: "n" }));
    expect(c.transport.frames.at(-1)).toMatchObject({ type: "error", code: "channel_not_authorized" });
    expect(c.transport.closed).toBeUndefined();
  });

  it("closes on a cut-off search at any burst, so no configured bucket buys more of them", () => {
    for (const rateBurst of [50, 200, 1_000, 4_000]) {
      const app = testApp();
      const c = testConnection(app, "p", { scope: createScope(SCOPE, ["subscribe"]), rateBurst });
      expect(c.bucket.capacity).toBe(rateBurst);
      const bounded = patternCoverage(CRAFTED, SCOPE, COVERAGE_BUDGET);
      expect(bounded.covered).toBe(false);
      // The search is cut off at the bound, which costs far fewer frames than a large bucket holds…
      expect(bounded.steps).toBeGreaterThanOrEqual(COVERAGE_BUDGET);
      dispatchFrame(c, JSON.stringify({ type: "subscribe", channel: CRAFTED, requestId: "x" }));
      // …yet it closes however large the burst is (charging only the work, a 1,000-frame bucket
      // would have paid 50 frames and stayed open for 20 more such searches).
      expect(c.transport.closed?.code).toBe(CloseCode.OverMessageRate);
      expect(c.subscriptions.size).toBe(0);
    }
  });

  it("answers a pattern over 8 wildcard runs with invalid_channel, before any coverage work", () => {
    const app = testApp();
    const c = testConnection(app, "p", { scope: createScope(SCOPE, ["subscribe"]) });
    const nine = "*a".repeat(9);
    dispatchFrame(c, JSON.stringify({ type: "subscribe", channel: nine, requestId: "nine" }));
    expect(c.transport.frames.at(-1)).toMatchObject({
      type: "error",
      code: "invalid_channel",
      requestId: "nine",
    });
    expect(c.transport.closed).toBeUndefined();
  });
});
