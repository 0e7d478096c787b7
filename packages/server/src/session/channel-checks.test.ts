import { CloseCode, patternCoverage } from "@switchboard/protocol";
import { describe, expect, it } from "vitest";
import { createScope } from "../auth/scope.js";
import { testApp, testConnection } from "../test-support.js";
import { COVERAGE_STEPS_PER_FRAME, SUBSCRIBE_COVERAGE_MAX_STEPS } from "./channel-checks.js";
import { dispatchFrame } from "./dispatch.js";

const SCOPE = ["a/*", "*/b", "**/c"];
// Its subset construction has to track, for the last 20 segments, which follow an `a`.
const CRAFTED = `**a*${"/*".repeat(20)}`;

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
});
