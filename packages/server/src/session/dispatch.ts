import { type ClientFrame, CloseCode, CloseReason, decodeClientFrame } from "@switchboard/protocol";
import type { Connection } from "../connection.js";
import { frameBytes } from "../encode.js";
import { handlePublish } from "./publish.js";
import { fail } from "./reply.js";
import { handleSend } from "./send.js";
import { handleSubscribe } from "./subscribe.js";
import { handleUnsubscribe } from "./unsubscribe.js";

/**
 * Handles one inbound text frame: decode once, count it by type (`invalid` when undecodable), charge
 * the rate bucket (every frame but `ping`, undecodable ones included), then run the command. Never
 * throws for any input.
 */
export function dispatchFrame(connection: Connection, text: string): void {
  const result = decodeClientFrame(text);
  connection.app.meter.framesIn[result.ok ? result.frame.type : "invalid"] += 1;
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
      handleSubscribe(connection, frame);
      return;
    case "unsubscribe":
      handleUnsubscribe(connection, frame);
      return;
    case "publish":
      handlePublish(connection, frame);
      return;
    case "send":
      handleSend(connection, frame);
      return;
    case "ping":
      connection.transport.send(
        frameBytes(
          frame.requestId === undefined ? { type: "pong" } : { type: "pong", requestId: frame.requestId },
        ),
      );
      connection.app.meter.framesOut.pong += 1;
      return;
  }
}
