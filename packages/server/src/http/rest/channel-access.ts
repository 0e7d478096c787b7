import { type Action, channelError, hasWildcard } from "@switchboard/protocol";
import { can, coversChannel } from "../../auth/scope.js";
import { HttpError } from "../errors.js";
import type { Caller } from "../secret-key-auth.js";

/**
 * The checks a `:channel` route makes before it touches the hub, in the order the WebSocket
 * session uses (session/channel-checks.ts), each throwing the matching {@link HttpError}:
 * 1. a valid name — empty, over 256 UTF-8 bytes or with control characters → 400 `invalid_request`;
 * 2. not reserved (`_metered/`, `_internal/`, `_system/`) → 400 `channel_reserved`;
 * 3. concrete — an unescaped `*` makes it a pattern, which names no single channel → 400
 *    `invalid_request`;
 * 4. the key holds `action` → 403 `action_not_permitted`;
 * 5. the key's channel patterns cover the name (its literal form) → 403 `channel_not_authorized`.
 *
 * `channel` is the decoded path parameter; it is used as the hub key exactly as given, like the
 * `channel` field of a frame.
 */
export function checkChannelAccess(caller: Caller, channel: string, action: Action): void {
  const problem = channelError(channel);
  if (problem === "invalid_channel") {
    throw new HttpError(
      "invalid_request",
      "channel names are 1–256 bytes of UTF-8 without control characters",
    );
  }
  if (problem === "channel_reserved") {
    throw new HttpError(
      "channel_reserved",
      "channels starting with _metered/, _internal/ or _system/ are reserved",
    );
  }
  if (hasWildcard(channel)) {
    throw new HttpError("invalid_request", "a channel with an unescaped * is a pattern, not a channel");
  }
  const { scope } = caller.key;
  if (!can(scope, action)) {
    throw new HttpError("action_not_permitted", `this key does not hold the ${action} action`);
  }
  if (!coversChannel(scope, channel)) {
    throw new HttpError("channel_not_authorized", "channel not covered by this key's channel patterns");
  }
}
