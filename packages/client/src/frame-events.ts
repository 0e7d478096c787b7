/**
 * Inbound `message` / `direct` frames as the events the client emits: the same fields, with
 * `fromMetadata` present only when the server sent it (so listeners can test `"fromMetadata" in ev`).
 */

import type { ServerFrame } from "@switchboard/protocol";
import type { DirectEvent, MessageEvent } from "./types.js";

type MessageFrame = Extract<ServerFrame, { type: "message" }>;
type DirectFrame = Extract<ServerFrame, { type: "direct" }>;

/** The `message` event for a channel message frame. */
export function messageEvent(frame: MessageFrame): MessageEvent {
  const { channel, from, data, fromMetadata } = frame;
  return fromMetadata === undefined ? { channel, from, data } : { channel, from, data, fromMetadata };
}

/** The `direct` event for a direct message frame. */
export function directEvent(frame: DirectFrame): DirectEvent {
  const { from, data, fromMetadata } = frame;
  return fromMetadata === undefined ? { from, data } : { from, data, fromMetadata };
}
