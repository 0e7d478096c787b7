import { CloseCode, CloseReason } from "@switchboard/protocol";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import { callerOf } from "../secret-key-auth.js";
import { COMMON_ERRORS, PeerParams, SECRET_KEY_SECURITY } from "./schemas.js";

const KickResponse = Type.Object(
  {
    peerId: Type.String(),
    closed: Type.Integer({
      description:
        "sockets closed with 4020 on the node that answered (0 when the peer was not connected there); in cluster mode every other node closes the peer's sockets too",
    }),
  },
  { description: "the peer's sockets are closing" },
);

/**
 * `DELETE /v1/peers/:peerId`: closes every socket of the peer in the key's app with 4020 (kicked):
 * on this node at once (reported as `closed`), on the other nodes of a cluster within one broker
 * hop. A peer that is not connected is not an error.
 */
export function registerPeerRoutes(app: FastifyInstance): void {
  app.delete<{ Params: PeerParams }>(
    "/v1/peers/:peerId",
    {
      schema: {
        summary: "Disconnect every socket of a peer",
        tags: ["peers"],
        security: SECRET_KEY_SECURITY,
        params: PeerParams,
        response: { 200: KickResponse, ...COMMON_ERRORS },
      },
    },
    async (request) => {
      const { peerId } = request.params;
      // Copied first: a socket leaves the set only on its close event, but do not iterate a set
      // that may change underneath.
      const caller = callerOf(request);
      const sockets = [...caller.app.hub.socketsOf(peerId)];
      for (const connection of sockets)
        connection.transport.close(CloseCode.Kicked, CloseReason[CloseCode.Kicked]);
      caller.app.hub.cluster?.kick(peerId);
      return { peerId, closed: sockets.length };
    },
  );
}
