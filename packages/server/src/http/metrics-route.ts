import type { FastifyInstance } from "fastify";
import type { RouteContext } from "./context.js";

/** Where Prometheus scrapes. */
export const METRICS_PATH = "/metrics";

/**
 * `GET /metrics`: the Prometheus text exposition of this node (metrics.ts), without credentials:
 * operators bind the server to a private interface or firewall the path, as for `/healthz`.
 * Not registered when `config.metricsEnabled` is false (then 404).
 */
export function registerMetricsRoute(app: FastifyInstance, { config, metrics }: RouteContext): void {
  if (!config.metricsEnabled) return;
  app.get(
    METRICS_PATH,
    { schema: { summary: "Prometheus metrics of this node (no auth)", tags: ["meta"] } },
    async (_request, reply) => reply.type(metrics.contentType).send(await metrics.scrape()),
  );
}
