import { createServer as createHttpServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { Limits } from "@switchboard/protocol";
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from "fastify";
import { registerAdminRoutes } from "./admin/index.js";
import type { RouteContext } from "./context.js";
import { registerDashboardRoutes } from "./dashboard.js";
import { HttpError } from "./errors.js";
import { registerHealthRoutes } from "./health.js";
import { registerMetricsRoute } from "./metrics-route.js";
import { registerOpenApi, registerOpenApiRoute } from "./openapi.js";
import { registerRestRoutes } from "./rest/index.js";

/** REST request bodies are capped at 32 KB (protocol.md §11). */
export const MAX_BODY_BYTES = 32 * 1024;

/**
 * The HTTP side of a node: a Fastify app on a plain Node HTTP server (whose `upgrade` events the
 * WebSocket gateway handles). Every error leaves as `{error, message}` with the status of §11.
 */
export function createHttpApp(context: RouteContext): FastifyInstance {
  const app = Fastify({
    // Upgrade requests carry the JWT in their query: allow the largest valid token. With TLS the
    // port speaks only TLS: a plain-HTTP request fails its handshake and the socket is dropped.
    serverFactory: (handler) => {
      const { tls } = context.config;
      const options = { maxHeaderSize: Limits.maxUpgradeHeaderBytes };
      return tls
        ? createHttpsServer({ ...options, cert: tls.cert, key: tls.key }, handler)
        : createHttpServer(options, handler);
    },
    bodyLimit: MAX_BODY_BYTES,
    logger: false,
    // Path parameters carry URL-encoded 256-byte channels and 128-byte peerIds.
    routerOptions: { maxParamLength: 1024 },
    return503OnClosing: false,
    // Errors raised before routing (bad percent-encoding, over-long path parameter) keep the
    // `{error, message}` shape of every other error instead of Fastify's own body.
    frameworkErrors: (error: FastifyError, _request: FastifyRequest, reply: FastifyReply) => {
      void reply.code(400).send({ error: "invalid_request", message: error.message });
    },
  });

  app.setErrorHandler((error: FastifyError | HttpError, _request, reply) => {
    if (error instanceof HttpError) {
      return reply.status(error.status).send({ error: error.code, message: error.message });
    }
    const status = error.statusCode ?? 500;
    if (error.validation) {
      return reply.status(400).send({ error: "invalid_request", message: error.message });
    }
    if (status === 413)
      return reply.status(413).send({ error: "invalid_request", message: "body over 32 KB" });
    if (status >= 400 && status < 500) {
      return reply
        .status(status === 415 ? 400 : status)
        .send({ error: "invalid_request", message: error.message });
    }
    context.log.error({ err: error }, "request failed");
    return reply.status(503).send({ error: "internal_error", message: "internal error" });
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .status(404)
      .send({ error: "not_found", message: `no route for ${request.method} ${request.url.split("?")[0]}` }),
  );

  // @fastify/swagger collects routes from an onRoute hook, so it loads first and every route is
  // added inside a plugin registered after it: a route added directly on `app` here would be
  // registered before swagger loads and be missing from /v1/openapi.json.
  registerOpenApi(app);
  app.register(async (routes) => {
    registerHealthRoutes(routes, context);
    registerMetricsRoute(routes, context);
    registerOpenApiRoute(routes);
    registerRestRoutes(routes, context);
    registerAdminRoutes(routes, context);
    registerDashboardRoutes(routes);
  });
  return app;
}
