import swagger from "@fastify/swagger";
import type { FastifyInstance } from "fastify";

/** Where the generated OpenAPI document is served (no credentials needed). */
export const OPENAPI_PATH = "/v1/openapi.json";

/**
 * Registers @fastify/swagger, which builds an OpenAPI 3 document from the schemas of every route
 * registered after it (it listens to `onRoute`, so it must come first; see http/app.ts). Two
 * bearer schemes are declared for routes to reference in `schema.security`: `secretKey`
 * (`sk_id_…:sk_secret_…`) and `adminToken`.
 */
export function registerOpenApi(app: FastifyInstance): void {
  app.register(swagger, {
    openapi: {
      openapi: "3.0.3",
      info: {
        title: "Switchboard REST API",
        version: "1",
        description:
          "Control plane of a Switchboard server (protocol.md §11). Every error body is " +
          '`{"error": "<code>", "message": "<text>"}`. Request bodies are JSON, at most 32 KB.',
      },
      components: {
        securitySchemes: {
          secretKey: {
            type: "http",
            scheme: "bearer",
            description: "A secret key as `sk_id_…:sk_secret_…`. Publishable keys are never accepted.",
          },
          adminToken: { type: "http", scheme: "bearer", description: "The server's admin token." },
        },
      },
    },
  });
}

/** `GET /v1/openapi.json`: the document describing every route, generated once on first request. */
export function registerOpenApiRoute(app: FastifyInstance): void {
  app.get(OPENAPI_PATH, { schema: { summary: "This OpenAPI document", tags: ["meta"] } }, async () =>
    app.swagger(),
  );
}
