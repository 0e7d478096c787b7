import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Store } from "../store/types.js";
import { UNAUTHORIZED_BODY } from "./errors.js";

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
 * `serve --admin-token` (or another process) applies at once. Any failure → the one 401 body.
 */
export function requireAdmin(store: Store) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const token = bearer(request);
    const storedHex = await store.getSetting(ADMIN_TOKEN_SETTING);
    const stored = storedHex === undefined ? undefined : Buffer.from(storedHex, "hex");
    const ok = token !== undefined && stored?.length === 32 && timingSafeEqual(sha256(token), stored);
    if (!ok) await reply.status(401).send(UNAUTHORIZED_BODY);
  };
}
