/**
 * Client-side argument checks for requests: a call the server would refuse anyway is rejected
 * before anything is sent, with a {@link SendError} that says why.
 */

import { isReservedChannel } from "@switchboard/protocol";
import { SendError } from "./errors.js";

/** `null` when `channel` may be sent; else the `invalid_args` / `reserved_channel` error to reject with. */
export function channelProblem(channel: unknown): SendError | null {
  if (typeof channel !== "string" || channel === "") {
    return new SendError("invalid_args", "channel must be a non-empty string");
  }
  return isReservedChannel(channel)
    ? new SendError(
        "reserved_channel",
        "channel names starting with _metered/, _internal/ or _system/ are reserved",
      )
    : null;
}

/** `null` when `data` is a JSON value that survives `JSON.stringify`; else the `invalid_args` error. */
export function dataProblem(data: unknown): SendError | null {
  if (data === undefined) return new SendError("invalid_args", "data must not be undefined");
  // JSON.stringify silently drops these, which would send a frame without `data`.
  if (typeof data === "function" || typeof data === "symbol") {
    return new SendError("invalid_args", "data must be a JSON value");
  }
  return null;
}
