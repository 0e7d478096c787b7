import { type Action, CloseCode, CloseReason, channelError, ErrorCode } from "@switchboard/protocol";
import { can, channelCoverage } from "../auth/scope.js";
import { defaults } from "../config.js";
import type { Connection } from "../connection.js";
import { fail } from "./reply.js";

const explanations = {
  invalid_channel: "channel names are 1–256 bytes of UTF-8 without control characters",
  channel_reserved: "channels starting with _metered/, _internal/ or _system/ are reserved",
} as const;

/**
 * Coverage-search work (state transitions, see `patternCoverage`) that costs one extra frame of the
 * connection's rate budget. Ordinary wildcard subscriptions take 0–90, so they cost nothing extra;
 * a crafted pattern runs into {@link SUBSCRIBE_COVERAGE_MAX_STEPS} and costs more than the whole
 * default burst, so one such subscribe closes the connection with 4011. A transition costs 0.1–1.9 µs, so sustained a client can make the server
 * spend at most ≈ 0.2 ms of coverage work per frame of its budget.
 */
export const COVERAGE_STEPS_PER_FRAME = 100;

/**
 * The search bound for a client's wildcard subscribe: one frame more than the default burst (200
 * frames) of {@link COVERAGE_STEPS_PER_FRAME}, so a search cut off here costs more than a full
 * bucket can ever hold and always closes the connection, however much the bucket refilled while
 * the search ran. Searching on would only hold the event loop (≤ 10 ms measured at this bound,
 * against ≈ 100–250 ms at the library's own). Ordinary patterns need a few dozen transitions;
 * past the bound the pattern counts as not covered.
 */
export const SUBSCRIBE_COVERAGE_MAX_STEPS = (defaults.rateBurst + 1) * COVERAGE_STEPS_PER_FRAME;

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
  const coverage = channelCoverage(scope, channel, SUBSCRIBE_COVERAGE_MAX_STEPS);
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
