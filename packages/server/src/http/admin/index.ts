import type { FastifyError, FastifyInstance } from "fastify";
import { StoreError, type StoreErrorCode } from "../../store/types.js";
import { requireAdmin } from "../admin-auth.js";
import type { RouteContext } from "../context.js";
import { HttpError, type HttpErrorCode } from "../errors.js";
import { strictValidatorCompiler } from "../rest/validator.js";
import { registerAdminAppRoutes } from "./apps.js";
import { registerAdminKeyRoutes } from "./keys.js";
import { registerAdminLiveRoutes } from "./live.js";

/** Where the admin API lives. */
export const ADMIN_PREFIX = "/v1/admin";

/** How a refused store operation answers over HTTP. */
const STORE_ERROR_HTTP: Record<StoreErrorCode, HttpErrorCode> = {
  invalid_input: "invalid_request",
  not_found: "not_found",
  key_limit_reached: "conflict",
  key_revoked: "conflict",
  app_is_default: "conflict",
};

/** A StoreError as the HttpError the admin API answers with; anything else unchanged. */
export function httpErrorOf(error: unknown): unknown {
  if (error instanceof StoreError) return new HttpError(STORE_ERROR_HTTP[error.code], error.message);
  return error;
}

/**
 * The admin API (protocol.md §11 admin paragraph) under `/v1/admin`, in a plugin of its own so its
 * auth hook and strict validation apply to these routes only. Every route needs
 * `Authorization: Bearer <admin token>` (any failure → the one 401 body), then its params and body
 * pass the schema (400), then the store's own checks (400 / 404 / 409).
 *
 * Apps and keys are read from and written to the store, so the CLI and every node see the same
 * data; live state (stats, presence, kick) is this node's.
 */
export function registerAdminRoutes(app: FastifyInstance, context: RouteContext): void {
  app.register(
    async (admin) => {
      admin.setValidatorCompiler(strictValidatorCompiler);
      admin.addHook("onRequest", requireAdmin(context));
      // A change made here applies to this node's next handshake at once, not one store poll later
      // (the change feed still closes live connections and tells every other process).
      admin.addHook("onSend", async (request, _reply, payload) => {
        if (request.method !== "GET") context.keys.invalidate();
        return payload;
      });
      // Store refusals become their HTTP answer; everything else goes on to the app's handler.
      admin.setErrorHandler((error: FastifyError, _request, reply) => {
        const mapped = httpErrorOf(error);
        if (mapped instanceof HttpError) {
          return reply.status(mapped.status).send({ error: mapped.code, message: mapped.message });
        }
        throw error;
      });
      registerAdminAppRoutes(admin, context);
      registerAdminKeyRoutes(admin, context);
      registerAdminLiveRoutes(admin, context);
    },
    { prefix: ADMIN_PREFIX },
  );
}
