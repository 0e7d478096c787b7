import {
  type ClientFrame,
  CloseCode,
  CloseReason,
  decodeClientFrame,
  ErrorCode,
  Limits,
} from "@switchboard/protocol";
import type { Connection } from "../connection.js";
import { frameBytes } from "../encode.js";
import { handlePublish } from "./publish.js";
import { fail } from "./reply.js";
import { handleSend } from "./send.js";
import { handleSubscribe } from "./subscribe.js";
import { handleUnsubscribe } from "./unsubscribe.js";

/**
 * Handles one inbound text frame of `bytes` UTF-8 bytes: charge the rate bucket, decode once, count
 * it by type (`invalid` when undecodable), then run the command. Every frame pays (undecodable ones
 * included) except a `ping` of at most {@link Limits.maxFreePingBytes}: a larger frame is charged
 * before it is parsed, so parsing cannot be had for free. Never throws for any input.
 */
export function dispatchFrame(connection: Connection, text: string, bytes = Buffer.byteLength(text)): void {
  const mayBeFreePing = bytes <= Limits.maxFreePingBytes;
  if (!mayBeFreePing && !chargeFrame(connection)) return;
  const result = decodeClientFrame(text);
  connection.app.meter.framesIn[result.ok ? result.frame.type : "invalid"] += 1;
  const isPing = result.ok && result.frame.type === "ping";
  if (mayBeFreePing && !isPing && !chargeFrame(connection)) return;
  if (!result.ok) {
    fail(connection, result.code, result.message, result.requestId);
    return;
  }
  run(connection, result.frame);
}

/**
 * A binary frame: charged like any frame, then answered `malformed_message` (text frames only).
 * Its content is never looked at.
 */
export function dispatchBinary(connection: Connection): void {
  connection.app.meter.framesIn.invalid += 1;
  if (!chargeFrame(connection)) return;
  fail(connection, ErrorCode.MalformedMessage, "frames must be text (JSON)", undefined);
}

/** Takes one token from the connection's bucket; closes with 4011 and returns false when empty. */
function chargeFrame(connection: Connection): boolean {
  if (connection.bucket.take()) return true;
  connection.transport.close(CloseCode.OverMessageRate, CloseReason[CloseCode.OverMessageRate]);
  return false;
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
