import { CloseCode, CloseReason, type ClientFrame, decodeClientFrame } from "@switchboard/protocol";
import type { Connection } from "../connection.js";
import { frameBytes } from "../encode.js";
import { handlePublish } from "./publish.js";
import { fail } from "./reply.js";
import { handleSend } from "./send.js";
import { handleSubscribe } from "./subscribe.js";
import { handleUnsubscribe } from "./unsubscribe.js";

/**
 * Handles one inbound text frame: decode once, charge the rate bucket (every frame but `ping`,
 * undecodable ones included), then run the command. Never throws for any input.
 */
export function dispatchFrame(connection: Connection, text: string): void {
  const result = decodeClientFrame(text);
  const isPing = result.ok && result.frame.type === "ping";
  if (!isPing && !connection.bucket.take()) {
    connection.transport.close(CloseCode.OverMessageRate, CloseReason[CloseCode.OverMessageRate]);
    return;
  }
  if (!result.ok) {
    fail(connection, result.code, result.message, result.requestId);
    return;
  }
  run(connection, result.frame);
}

function run(connection: Connection, frame: ClientFrame): void {
  switch (frame.type) {
    case "subscribe":
      return handleSubscribe(connection, frame);
    case "unsubscribe":
      return handleUnsubscribe(connection, frame);
    case "publish":
      return handlePublish(connection, frame);
    case "send":
      return handleSend(connection, frame);
    case "ping":
      connection.transport.send(
        frameBytes(frame.requestId === undefined ? { type: "pong" } : { type: "pong", requestId: frame.requestId }),
      );
      return;
  }
}
