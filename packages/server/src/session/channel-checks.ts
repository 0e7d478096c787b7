import { type Action, CloseCode, CloseReason, channelError, ErrorCode, Limits } from "@switchboard/protocol";
import { COVERAGE_BUDGET, type COVERAGE_STEPS_PER_FRAME, coverageCharge } from "../auth/coverage-budget.js";
import { can, channelCoverage } from "../auth/scope.js";
import type { Connection } from "../connection.js";
import { fail } from "./reply.js";

const explanations = {
  invalid_channel: `channel names are 1–256 bytes of UTF-8 without control characters; patterns have at most ${Limits.maxPatternWildcardRuns} wildcard runs`,
  channel_reserved: "channels starting with _metered/, _internal/ or _system/ are reserved",
} as const;

/**
 * The checks subscribe and publish share, in this order: a valid, unreserved channel name (a
 * pattern of at most 8 wildcard runs); the action; the connection's channel patterns, searching at
 * most {@link COVERAGE_BUDGET} transitions and charging the work to the rate budget (see
 * {@link COVERAGE_STEPS_PER_FRAME}); a search cut off at the bound always closes with 4011, however
 * large the connection's bucket.
 * Answers the error itself (or closes with 4011 when the budget is gone) and returns false on
 * failure.
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
  const coverage = channelCoverage(scope, channel, COVERAGE_BUDGET);
  const extra = coverageCharge(coverage);
  if (extra === Number.POSITIVE_INFINITY || (extra > 0 && !connection.bucket.charge(extra))) {
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
