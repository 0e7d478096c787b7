import type { FastifyInstance } from "fastify";
import type { RouteContext } from "../context.js";
import { requireSecretKey } from "../secret-key-auth.js";
import { registerChannelRoutes } from "./channels.js";
import { acceptEmptyJsonBodies } from "./json-body.js";
import { registerPeerRoutes } from "./peers.js";
import { registerTokenRoute } from "./tokens.js";
import { registerTurnRoute } from "./turn.js";
import { registerUsageRoute } from "./usage.js";
import { strictValidatorCompiler } from "./validator.js";

/**
 * The secret-key REST API (protocol.md §11), in a plugin of its own so that its auth hook and its
 * strict validation apply to these routes only:
 * `POST /v1/tokens`, `GET /v1/channels/:channel/peers`, `POST /v1/channels/:channel/publish`,
 * `DELETE /v1/peers/:peerId`, `GET /v1/usage`, `POST /v1/turn/credentials`.
 *
 * Per request, in order: credentials and rate (secret-key-auth.ts: 401 / 429), then schema
 * validation of params and body (400), then the route's own checks (400 / 403) and work.
 * Everything is scoped to the calling key's app.
 */
export function registerRestRoutes(app: FastifyInstance, context: RouteContext): void {
  app.register(async (rest) => {
    rest.setValidatorCompiler(strictValidatorCompiler);
    acceptEmptyJsonBodies(rest);
    rest.addHook("onRequest", requireSecretKey(context));
    registerTokenRoute(rest, context.config);
    registerChannelRoutes(rest);
    registerPeerRoutes(rest);
    registerUsageRoute(rest);
    registerTurnRoute(rest, context.config);
  });
}
