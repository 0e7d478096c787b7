import { type Action, CloseCode, CloseReason, channelError, ErrorCode } from "@switchboard/protocol";
import { can, channelCoverage } from "../auth/scope.js";
import type { Connection } from "../connection.js";
import { fail } from "./reply.js";

const explanations = {
  invalid_channel: "channel names are 1–256 bytes of UTF-8 without control characters",
  channel_reserved: "channels starting with _metered/, _internal/ or _system/ are reserved",
} as const;

/**
 * Coverage-search work (state transitions, see `patternCoverage`) that costs one extra frame of the
 * connection's rate budget. Ordinary wildcard subscriptions take 0–90, so they cost nothing extra;
 * a crafted pattern can take up to ≈ 500,000 (up to ≈ 100 ms of the event loop measured), which
 * costs 5,000 frames: far more than the default burst, so one such subscribe closes the
 * connection with 4011. A transition costs 0.1–1.9 µs, so sustained a client can make the server
 * spend at most ≈ 0.2 ms of coverage work per frame of its budget.
 */
export const COVERAGE_STEPS_PER_FRAME = 100;

/**
 * The checks subscribe and publish share, in this order: a valid, unreserved channel name; the
 * action; the connection's channel patterns (charging the coverage work to the rate budget, see
 * {@link COVERAGE_STEPS_PER_FRAME}). Answers the error itself (or closes with 4011 when the budget
 * is gone) and returns false on failure.
 */
export function checkChannelAccess(
  connection: Connection,
  channel: string,
  action: Action,
  requestId: string | undefined,
): boolean {
  const problem = channelError(channel);
  if (problem) {
    fail(connection, problem, explanations[problem], requestId);
    return false;
  }
  const { scope } = connection.identity;
  if (!can(scope, action)) {
    fail(connection, ErrorCode.ActionNotPermitted, `this connection may not ${action}`, requestId);
    return false;
  }
  const coverage = channelCoverage(scope, channel);
  const extra = Math.floor(coverage.steps / COVERAGE_STEPS_PER_FRAME);
  if (extra > 0 && !connection.bucket.charge(extra)) {
    connection.transport.close(CloseCode.OverMessageRate, CloseReason[CloseCode.OverMessageRate]);
    return false;
  }
  if (!coverage.covered) {
    fail(
      connection,
      ErrorCode.ChannelNotAuthorized,
      "channel not covered by this connection's channels",
      requestId,
    );
    return false;
  }
  return true;
}
