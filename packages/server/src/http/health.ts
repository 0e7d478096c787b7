import type { FastifyInstance } from "fastify";
import type { RouteContext } from "./context.js";

/**
 * `/healthz`: the process is alive (200 whenever it answers). `/readyz`: it takes new clients
 * (200), or it is draining or not yet listening (503), so a load balancer moves traffic away.
 */
export function registerHealthRoutes(app: FastifyInstance, { lifecycle }: RouteContext): void {
  app.get("/healthz", async () => ({ status: "ok" }));
  app.get("/readyz", async (_request, reply) => {
    if (lifecycle.accepting && !lifecycle.draining) return { status: "ready" };
    return reply.status(503).send({ status: lifecycle.draining ? "draining" : "starting" });
  });
  app.get("/v1", async (_request, reply) =>
    reply.status(426).send({ error: "invalid_request", message: "/v1 is a WebSocket endpoint" }),
  );
}
