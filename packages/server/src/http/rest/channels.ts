import { type Json, type JsonObject as JsonObjectValue, Limits, utf8Length } from "@switchboard/protocol";
import type { FastifyInstance } from "fastify";
import { type Static, Type } from "typebox";
import { consumeMessage } from "../../apps.js";
import { HttpError, orBackendError } from "../errors.js";
import { callerOf } from "../secret-key-auth.js";
import { checkChannelAccess } from "./channel-access.js";
import { ChannelParams, COMMON_ERRORS, JsonObject, peerIdOptions, SECRET_KEY_SECURITY } from "./schemas.js";

const PeersResponse = Type.Object(
  {
    channel: Type.String(),
    peers: Type.Array(
      Type.Object({
        peerId: Type.String(),
        metadata: Type.Optional(JsonObject("the peer's peerMetadata, when it has some")),
      }),
      { description: "one entry per peerId present on this node" },
    ),
  },
  { description: "the peers present in the channel" },
);

const PublishRequest = Type.Object(
  {
    data: Type.Unknown({ description: "any JSON value, null included; required" }),
    from: Type.Optional(
      Type.String({ ...peerIdOptions, description: 'sender peerId subscribers see; default "server"' }),
    ),
    peerMetadata: Type.Optional(
      JsonObject("sent as fromMetadata to subscribers that asked for it; ≤ 4096 bytes as JSON"),
    ),
  },
  { additionalProperties: false },
);
type PublishRequest = Static<typeof PublishRequest>;

const PublishResponse = Type.Object(
  { channel: Type.String(), published: Type.Literal(true) },
  { description: "accepted and fanned out to the subscribers" },
);

/** Sender of a REST publish when the request names none. */
export const DEFAULT_PUBLISHER = "server";

/**
 * `GET /v1/channels/:channel/peers` (needs `presence`): who is in a channel, one entry per peerId.
 * `POST /v1/channels/:channel/publish` (needs `publish`): an ordinary `message` to every
 * subscriber (none is excluded), charged to the app's message quota; over it → 429
 * `over_message_quota`.
 */
export function registerChannelRoutes(app: FastifyInstance): void {
  app.get<{ Params: ChannelParams }>(
    "/v1/channels/:channel/peers",
    {
      schema: {
        summary: "List the peers present in a channel",
        tags: ["channels"],
        security: SECRET_KEY_SECURITY,
        params: ChannelParams,
        response: { 200: PeersResponse, ...COMMON_ERRORS },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const { channel } = request.params;
      checkChannelAccess(caller, channel, "presence");
      return { channel, peers: await orBackendError(caller.app.hub.members(channel)) };
    },
  );

  app.post<{ Params: ChannelParams; Body: PublishRequest }>(
    "/v1/channels/:channel/publish",
    {
      schema: {
        summary: "Publish a message to a channel",
        tags: ["channels"],
        security: SECRET_KEY_SECURITY,
        params: ChannelParams,
        body: PublishRequest,
        response: { 200: PublishResponse, ...COMMON_ERRORS },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const { channel } = request.params;
      const { data, from = DEFAULT_PUBLISHER, peerMetadata } = request.body;
      if (
        peerMetadata !== undefined &&
        utf8Length(JSON.stringify(peerMetadata)) > Limits.maxPeerMetadataBytes
      ) {
        throw new HttpError(
          "invalid_request",
          `peerMetadata is over ${Limits.maxPeerMetadataBytes} bytes as JSON`,
        );
      }
      checkChannelAccess(caller, channel, "publish");
      if (!consumeMessage(caller.app)) {
        // Not in the HttpError table: it is the frame error code, reused so SDKs see one name.
        return reply.status(429).send({
          error: "over_message_quota",
          message: "the app's message allowance for this period is spent",
        });
      }
      caller.app.hub.publish(
        { peerId: from, peerMetadata: peerMetadata as JsonObjectValue | undefined },
        channel,
        data as Json,
      );
      return { channel, published: true as const };
    },
  );
}
