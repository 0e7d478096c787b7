import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { type Static, Type } from "typebox";
import type { ServerConfig } from "../../config.js";
import { mintIceServers } from "../../turn.js";
import { HttpError } from "../errors.js";
import { COMMON_ERRORS, PeerId, SECRET_KEY_SECURITY } from "./schemas.js";

const TurnRequest = Type.Object(
  {
    peerId: Type.Optional(PeerId),
    ttlSec: Type.Optional(
      Type.Integer({ minimum: 1, description: "credential lifetime; capped at the server's TURN TTL" }),
    ),
  },
  { additionalProperties: false },
);
type TurnRequest = Static<typeof TurnRequest>;

const IceServer = Type.Object({
  urls: Type.Union([Type.String(), Type.Array(Type.String())]),
  username: Type.Optional(Type.String({ description: '"<unix expiry>:<peerId>"' })),
  credential: Type.Optional(Type.String({ description: "base64(HMAC-SHA1(secret, username))" })),
});

const TurnResponse = Type.Object(
  {
    iceServers: Type.Array(IceServer, { description: "RTCIceServer entries for RTCPeerConnection" }),
    expiresAt: Type.Integer({ description: "credential expiry, unix seconds" }),
  },
  { description: "fresh TURN credentials" },
);

/**
 * `POST /v1/turn/credentials` [ours]: fresh TURN credentials in the coturn `use-auth-secret`
 * convention (protocol.md §12) for `peerId` (default: a random UUID), valid `ttlSec` (default and
 * cap: the configured TURN TTL). The body may be left out. Without a TURN secret configured →
 * 400 `turn_not_configured`.
 */
export function registerTurnRoute(app: FastifyInstance, config: ServerConfig): void {
  app.post<{ Body: TurnRequest }>(
    "/v1/turn/credentials",
    {
      schema: {
        summary: "Mint TURN credentials",
        tags: ["turn"],
        security: SECRET_KEY_SECURITY,
        body: TurnRequest,
        response: { 200: TurnResponse, ...COMMON_ERRORS },
      },
    },
    async (request) => {
      const { peerId = randomUUID(), ttlSec = config.turnTtlSec } = request.body;
      const minted = mintIceServers(
        { secret: config.turnSecret, urls: config.turnUrls, ttlSec: config.turnTtlSec },
        peerId,
        ttlSec,
      );
      if (!minted) throw new HttpError("turn_not_configured", "this server has no TURN secret configured");
      return minted;
    },
  );
}
