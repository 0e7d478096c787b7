import { ErrorCode, isValidPeerId, type SendFrame } from "@switchboard/protocol";
import { can } from "../auth/scope.js";
import type { Connection } from "../connection.js";
import { chargeMessage } from "./quota.js";
import { ack, fail } from "./reply.js";

/** `send`: every socket of peer `to` in this app gets `direct` (self-send included). */
export function handleSend(connection: Connection, frame: SendFrame): void {
  const { to, requestId } = frame;
  if (!isValidPeerId(to)) {
    fail(connection, ErrorCode.InvalidPeerId, "peer ids are 1–128 printable ASCII characters", requestId);
    return;
  }
  if (!can(connection.identity.scope, "send")) {
    fail(connection, ErrorCode.ActionNotPermitted, "this connection may not send", requestId);
    return;
  }
  const { hub } = connection.app;
  if (!hub.hasPeer(to)) {
    fail(connection, ErrorCode.PeerNotFound, "no such peer is connected", requestId);
    return;
  }
  if (!chargeMessage(connection, requestId)) return;
  ack(connection, requestId);
  hub.sendDirect(
    { peerId: connection.peerId, peerMetadata: connection.identity.peerMetadata },
    to,
    frame.data,
  );
}
