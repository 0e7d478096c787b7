import { Limits, nestsDeeperThan } from "@switchboard/protocol";
import type { FastifyInstance } from "fastify";
import { HttpError } from "../errors.js";

/**
 * JSON bodies for the secret-key routes: Fastify's own parser (prototype-poisoning keys refused,
 * the app's 32 KB limit), except that an empty body is "no body" rather than a 400, and JSON
 * nested deeper than `Limits.maxJsonDepth` (128, the body object included) is a 400. Clients often
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
    // The frames' depth limit (protocol.md §11): deeper JSON parses, but cannot be re-serialised
    // on a bounded stack; refused here, before any route charges or logs anything.
    if (nestsDeeperThan(text, Limits.maxJsonDepth)) {
      return done(
        new HttpError("invalid_request", `body nests deeper than ${Limits.maxJsonDepth} levels`),
        undefined,
      );
    }
    parse(request, text, done);
  });
}
