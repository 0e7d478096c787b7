import { CloseCode, CloseReason, channelError, hasWildcard } from "@switchboard/protocol";
import type { FastifyInstance } from "fastify";
import { type Static, Type } from "typebox";
import { type AppRuntime, currentUsage } from "../../apps.js";
import { type MessageRate, sumRates } from "../../message-rates.js";
import type { RouteContext } from "../context.js";
import { HttpError, orBackendError } from "../errors.js";
import { PeerId } from "../rest/schemas.js";
import { ADMIN_ERRORS, ADMIN_SECURITY, AppParams, Usage } from "./schemas.js";

/** Longest channel/pattern list one app-stats response carries (`?limit`, default 100). */
export const MAX_STATS_LIST = 1_000;
const DEFAULT_STATS_LIST = 100;

const Rate = {
  messagesInPerSec: Type.Number({
    description: "accepted publish/send/REST publishes per second, last 60 s",
  }),
  messagesOutPerSec: Type.Number({ description: "deliveries (sockets written to) per second, last 60 s" }),
};

export const ClusterStats = Type.Object(
  {
    connections: Type.Integer({ description: "authenticated connections on every live node together" }),
    nodes: Type.Array(
      Type.Object({
        nodeId: Type.String(),
        self: Type.Boolean({ description: "the node that answered" }),
        connections: Type.Integer(),
        connectionsByApp: Type.Record(Type.String(), Type.Integer()),
        draining: Type.Boolean(),
        version: Type.String(),
        ageMs: Type.Integer({ description: "age of the node's figures (its last heartbeat)" }),
      }),
    ),
  },
  { description: "cluster mode only: every live node, from their heartbeats (about 1 s old)" },
);

export const NodeStats = Type.Object({
  connections: Type.Integer({ description: "authenticated connections on this node" }),
  apps: Type.Array(
    Type.Object({ appId: Type.String(), name: Type.String(), connections: Type.Integer(), ...Rate }),
    { description: "apps active on this node since it started, most connections first" },
  ),
  ...Rate,
  cluster: Type.Optional(ClusterStats),
});

export const AppStats = Type.Object({
  appId: Type.String(),
  connections: Type.Integer(),
  peers: Type.Integer({ description: "distinct peerIds connected" }),
  channelCount: Type.Integer({
    description: "concrete channels with subscribers (channels lists the busiest)",
  }),
  channels: Type.Array(
    Type.Object({ channel: Type.String(), subscribers: Type.Integer(), peers: Type.Integer() }),
  ),
  patterns: Type.Array(Type.Object({ pattern: Type.String(), subscribers: Type.Integer() })),
  ...Rate,
  usage: Usage,
});

const StatsQuery = Type.Object(
  {
    limit: Type.Optional(
      Type.String({ pattern: "^[0-9]{1,7}$", description: `1–${MAX_STATS_LIST}, default 100` }),
    ),
  },
  { additionalProperties: false },
);

const ChannelParams = Type.Object({ ...AppParams.properties, channel: Type.String({ minLength: 1 }) });
const PeerParams = Type.Object({ ...AppParams.properties, peerId: PeerId });

export const Presence = Type.Object({
  channel: Type.String(),
  peers: Type.Array(
    Type.Object({
      peerId: Type.String(),
      metadata: Type.Optional(Type.Object({}, { additionalProperties: true })),
    }),
  ),
});

export const Kick = Type.Object({
  peerId: Type.String(),
  closed: Type.Integer({
    description: "sockets closed with 4020 on this node; in cluster mode the other nodes close theirs too",
  }),
});

/** Rates rounded to 0.001/s: the JSON stays short and nothing meaningful is lost. */
function rounded(rate: MessageRate): MessageRate {
  const r = (x: number) => Math.round(x * 1000) / 1000;
  return { messagesInPerSec: r(rate.messagesInPerSec), messagesOutPerSec: r(rate.messagesOutPerSec) };
}

function listLimit(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_STATS_LIST;
  const n = Number(raw);
  if (n < 1 || n > MAX_STATS_LIST)
    throw new HttpError("invalid_request", `limit must be 1–${MAX_STATS_LIST}`);
  return n;
}

/**
 * This node's live state: `GET /stats`, `GET /apps/:appId/stats`,
 * `GET /apps/:appId/channels/:channel/presence`, `DELETE /apps/:appId/peers/:peerId` (kick, 4020).
 */
export function registerAdminLiveRoutes(
  admin: FastifyInstance,
  { apps, gateway, cluster }: RouteContext,
): void {
  const schema = (summary: string, extra: object) => ({
    summary,
    tags: ["admin: live"],
    security: ADMIN_SECURITY,
    ...extra,
  });

  async function runtimeOf(appId: string): Promise<AppRuntime> {
    const runtime = await apps.get(appId);
    if (!runtime) throw new HttpError("not_found", `app ${appId} not found`);
    return runtime;
  }

  admin.get(
    "/stats",
    { schema: schema("Node-wide live stats", { response: { 200: NodeStats, ...ADMIN_ERRORS } }) },
    async () => {
      const perApp = [...apps.all()].map((a) => ({
        appId: a.id,
        name: a.record.name,
        connections: a.connections.size,
        rate: a.hub.rates.rate(),
      }));
      perApp.sort((x, y) => y.connections - x.connections || x.appId.localeCompare(y.appId));
      const nodes = cluster?.nodes().map((n) => ({ ...n, ageMs: Math.round(n.ageMs) }));
      return {
        connections: gateway.connections.size,
        apps: perApp.map(({ rate, ...a }) => ({ ...a, ...rounded(rate) })),
        ...rounded(sumRates(perApp.map((a) => a.rate))),
        ...(nodes ? { cluster: { connections: nodes.reduce((n, x) => n + x.connections, 0), nodes } } : {}),
      };
    },
  );

  admin.get<{ Params: Static<typeof AppParams>; Querystring: Static<typeof StatsQuery> }>(
    "/apps/:appId/stats",
    {
      schema: schema("Live stats of one app: connections, busiest channels, message rates, usage", {
        params: AppParams,
        querystring: StatsQuery,
        response: { 200: AppStats, ...ADMIN_ERRORS },
      }),
    },
    async (request) => {
      const limit = listLimit(request.query.limit);
      const app = await runtimeOf(request.params.appId);
      const { hub } = app;
      const busiest = <T extends { subscribers: number }>(list: T[], key: (t: T) => string) =>
        list.sort((x, y) => y.subscribers - x.subscribers || key(x).localeCompare(key(y))).slice(0, limit);
      return {
        appId: app.id,
        connections: app.connections.size,
        peers: hub.peerCount,
        channelCount: hub.channelCount,
        channels: busiest(hub.listChannels(), (c) => c.channel),
        patterns: busiest(hub.listPatterns(), (p) => p.pattern),
        ...rounded(hub.rates.rate()),
        usage: currentUsage(app),
      };
    },
  );

  admin.get<{ Params: Static<typeof ChannelParams> }>(
    "/apps/:appId/channels/:channel/presence",
    {
      schema: schema("Peers present in a concrete channel (cluster-wide in cluster mode)", {
        params: ChannelParams,
        response: { 200: Presence, ...ADMIN_ERRORS },
      }),
    },
    async (request) => {
      const { appId, channel } = request.params;
      if (channelError(channel) === "invalid_channel" || hasWildcard(channel)) {
        throw new HttpError("invalid_request", "channel must be a valid concrete channel name");
      }
      const app = await runtimeOf(appId);
      return { channel, peers: await orBackendError(app.hub.members(channel)) };
    },
  );

  admin.delete<{ Params: Static<typeof PeerParams> }>(
    "/apps/:appId/peers/:peerId",
    {
      schema: schema("Kick a peer: every socket of it is closed with 4020", {
        params: PeerParams,
        response: { 200: Kick, ...ADMIN_ERRORS },
      }),
    },
    async (request) => {
      const { appId, peerId } = request.params;
      const app = await runtimeOf(appId);
      // Copied first: sockets leave the set on their close event.
      const sockets = [...app.hub.socketsOf(peerId)];
      for (const c of sockets) c.transport.close(CloseCode.Kicked, CloseReason[CloseCode.Kicked]);
      app.hub.cluster?.kick(peerId);
      return { peerId, closed: sockets.length };
    },
  );
}
