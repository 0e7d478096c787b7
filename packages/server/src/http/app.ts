import { createServer as createHttpServer } from "node:http";
import { Limits } from "@switchboard/protocol";
import Fastify, { type FastifyError, type FastifyInstance } from "fastify";
import type { RouteContext } from "./context.js";
import { HttpError } from "./errors.js";
import { registerHealthRoutes } from "./health.js";

/** REST request bodies are capped at 32 KB (protocol.md §11). */
export const MAX_BODY_BYTES = 32 * 1024;

/**
 * The HTTP side of a node: a Fastify app on a plain Node HTTP server (whose `upgrade` events the
 * WebSocket gateway handles). Every error leaves as `{error, message}` with the status of §11.
 */
export function createHttpApp(context: RouteContext): FastifyInstance {
  const app = Fastify({
    // Upgrade requests carry the JWT in their query: allow the largest valid token.
    serverFactory: (handler) => createHttpServer({ maxHeaderSize: Limits.maxUpgradeHeaderBytes }, handler),
    bodyLimit: MAX_BODY_BYTES,
    logger: false,
    // Path parameters carry URL-encoded 256-byte channels and 128-byte peerIds.
    routerOptions: { maxParamLength: 1024 },
    return503OnClosing: false,
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

  registerHealthRoutes(app, context);
  return app;
}
