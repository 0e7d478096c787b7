import type { ErrorCode } from "@switchboard/protocol";
import type { Connection } from "../connection.js";
import { frameBytes } from "../encode.js";

/** Acknowledges a request; frames without `requestId` get no ack (protocol.md §3). */
export function ack(connection: Connection, requestId: string | undefined): void {
  if (requestId === undefined) return;
  connection.transport.send(frameBytes({ type: "ack", requestId }));
  connection.app.meter.framesOut.ack += 1;
}

/** Sends an `error` frame, echoing `requestId` when the request had a valid one; counts it by code. */
export function fail(
  connection: Connection,
  code: ErrorCode,
  message: string,
  requestId: string | undefined,
): void {
  connection.transport.send(
    frameBytes(
      requestId === undefined
        ? { type: "error", code, message }
        : { type: "error", code, message, requestId },
    ),
  );
  const { meter } = connection.app;
  meter.framesOut.error += 1;
  meter.errors[code] += 1;
}
