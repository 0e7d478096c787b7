import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import { authFailuresOf, failureKeyOf } from "./auth-failures.js";
import type { RouteContext } from "./context.js";
import { HttpError, UNAUTHORIZED_BODY } from "./errors.js";

/** Store setting holding the hex SHA-256 of the admin token (written by `switchboard serve`). */
export const ADMIN_TOKEN_SETTING = "admin_token_sha256";

const sha256 = (text: string) => createHash("sha256").update(text).digest();

/** The bearer credential of a request, or undefined. */
export function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== "string") return undefined;
  const match = /^Bearer ([\x21-\x7e]+)$/.exec(header);
  return match?.[1];
}

/**
 * A Fastify `onRequest` hook for `/v1/admin`: the bearer token must hash to the stored admin-token
 * hash (compared in constant time). The hash is read per request, so a token rotated by
 * `serve --admin-token` (or another process) applies at once. Any failure → the one 401 body, and
 * a charge to the per-IP failure bucket the secret-key routes share (auth-failures.ts); an address
 * whose bucket is empty gets 429 `rate_limited` before its token is looked at.
 */
export function requireAdmin(context: RouteContext) {
  const { store } = context;
  const failuresPerIp = authFailuresOf(context);
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const ip = failureKeyOf(context, request);
    if (failuresPerIp.spent(ip)) {
      reply.header("retry-after", "1");
      throw new HttpError("rate_limited", "too many failed authentication attempts from this address");
    }
    const token = bearer(request);
    const storedHex = await store.getSetting(ADMIN_TOKEN_SETTING);
    const stored = storedHex === undefined ? undefined : Buffer.from(storedHex, "hex");
    const ok = token !== undefined && stored?.length === 32 && timingSafeEqual(sha256(token), stored);
    if (!ok) {
      failuresPerIp.take(ip);
      await reply.status(401).send(UNAUTHORIZED_BODY);
    }
  };
}
