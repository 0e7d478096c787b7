import { type Action, channelError, ErrorCode } from "@switchboard/protocol";
import { can, coversChannel } from "../auth/scope.js";
import type { Connection } from "../connection.js";
import { fail } from "./reply.js";

const explanations = {
  invalid_channel: "channel names are 1–256 bytes of UTF-8 without control characters",
  channel_reserved: "channels starting with _metered/, _internal/ or _system/ are reserved",
} as const;

/**
 * The checks subscribe and publish share, in this order: a valid, unreserved channel name; the
 * action; the connection's channel patterns. Answers the error itself and returns false on failure.
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
  if (!coversChannel(scope, channel)) {
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
