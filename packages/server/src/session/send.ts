import { ErrorCode, isValidPeerId, type SendFrame } from "@switchboard/protocol";
import { can } from "../auth/scope.js";
import type { Connection } from "../connection.js";
import { directFrame } from "../hub.js";
import { chargeMessage } from "./quota.js";
import { ack, fail } from "./reply.js";

/**
 * `send`: every socket of peer `to` in this app gets `direct` (self-send included). In cluster
 * mode also the peer's sockets on other nodes; a peer with no socket here is looked up in the
 * cluster first, so its `ack` / `peer_not_found` comes one registry round trip later.
 */
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
  const sender = { peerId: connection.peerId, peerMetadata: connection.identity.peerMetadata };
  const { cluster } = hub;
  if (hub.hasPeer(to)) {
    if (!chargeMessage(connection, requestId)) return;
    ack(connection, requestId);
    const bytes = directFrame(sender, frame.data);
    hub.sendDirect(to, bytes);
    // The peer may have sockets on other nodes too; they get the same bytes, a lookup later.
    cluster?.remoteNodesOf(to).then(
      (nodes) => cluster.sendDirect(nodes, to, bytes),
      () => {},
    );
    return;
  }
  if (!cluster) {
    fail(connection, ErrorCode.PeerNotFound, "no such peer is connected", requestId);
    return;
  }
  cluster.remoteNodesOf(to).then(
    (nodes) => {
      if (nodes.length === 0) {
        fail(connection, ErrorCode.PeerNotFound, "no such peer is connected", requestId);
        return;
      }
      if (!chargeMessage(connection, requestId)) return;
      ack(connection, requestId);
      const bytes = directFrame(sender, frame.data);
      hub.sendDirect(to, bytes);
      cluster.sendDirect(nodes, to, bytes);
    },
    () => {
      fail(
        connection,
        ErrorCode.BackendError,
        "the cluster cannot look up peers right now; retry",
        requestId,
      );
    },
  );
}
