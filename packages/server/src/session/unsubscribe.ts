import { channelError, ErrorCode, type UnsubscribeFrame } from "@switchboard/protocol";
import type { Connection } from "../connection.js";
import { ack, fail } from "./reply.js";

/** `unsubscribe`: acked even when not subscribed; the peer is announced `left` if it was its last socket. */
export function handleUnsubscribe(connection: Connection, frame: UnsubscribeFrame): void {
  if (channelError(frame.channel) === "invalid_channel") {
    fail(connection, ErrorCode.InvalidChannel, "not a valid channel name", frame.requestId);
    return;
  }
  connection.app.hub.unsubscribe(connection, frame.channel);
  ack(connection, frame.requestId);
}
