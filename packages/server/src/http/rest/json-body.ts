import type { FastifyInstance } from "fastify";

/**
 * JSON bodies for the secret-key routes: Fastify's own parser (prototype-poisoning keys refused,
 * the app's 32 KB limit), except that an empty body is "no body" rather than a 400. Clients often
 * send `content-type: application/json` on a `DELETE` or on a `POST` whose fields are all
 * optional (`/v1/turn/credentials`); a route that needs fields still answers 400 through its
 * schema. Registered on the REST plugin only.
 */
export function acceptEmptyJsonBodies(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser("error", "ignore");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    const text = typeof body === "string" ? body : body.toString("utf8");
    if (text === "") return done(null, undefined);
    parse(request, text, done);
  });
}
