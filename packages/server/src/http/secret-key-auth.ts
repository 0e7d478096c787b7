import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { AppRuntime } from "../apps.js";
import type { ResolvedKey } from "../auth/keys.js";
import { bearer } from "./admin-auth.js";
import { authFailuresOf } from "./auth-failures.js";
import { limitKeyOf } from "./client-address.js";
import type { RouteContext } from "./context.js";
import { HttpError, UNAUTHORIZED_BODY } from "./errors.js";
import { createRestRateLimiter } from "./rest-rate.js";

/** Who is calling a secret-key route: the verified key and the app it belongs to. */
export interface Caller {
  readonly key: ResolvedKey;
  readonly app: AppRuntime;
}

/** Longest `sk_id_…:sk_secret_…` looked at; anything longer cannot be one of ours. */
const MAX_CREDENTIAL_CHARS = 512;
const CREDENTIAL = /^(sk_id_[A-Za-z0-9_-]+):(sk_secret_[A-Za-z0-9_-]+)$/;

const sha256 = (bytes: Uint8Array | string): Buffer => createHash("sha256").update(bytes).digest();
// Compared against when the key id is unknown, so that case costs the same work as a wrong secret.
const DECOY_DIGEST = sha256(randomBytes(32));

const callers = new WeakMap<FastifyRequest, Caller>();

/** The caller of a request that passed {@link requireSecretKey}; throws if it did not. */
export function callerOf(request: FastifyRequest): Caller {
  const caller = callers.get(request);
  if (!caller) throw new Error("route is not behind requireSecretKey");
  return caller;
}

/**
 * Verifies `Authorization: Bearer sk_id_…:sk_secret_…` against a live secret key. The secret is
 * compared in constant time over SHA-256 digests, so neither its content nor its length leaks.
 * Returns undefined for every kind of failure: missing header, another scheme, a malformed or
 * over-long credential, an unknown, revoked or publishable key, a wrong secret, an admin token,
 * or a key whose app no longer exists.
 */
export async function verifySecretKey(
  context: Pick<RouteContext, "keys" | "apps">,
  header: string | undefined,
): Promise<Caller | undefined> {
  if (header === undefined || header.length > MAX_CREDENTIAL_CHARS) return undefined;
  const match = CREDENTIAL.exec(header);
  if (!match) return undefined;
  const [, id, secret] = match as unknown as [string, string, string];
  const key = await context.keys.lookup(id);
  const expected = key?.hmacKey && key.record.type === "secret" ? sha256(key.hmacKey) : DECOY_DIGEST;
  const same = timingSafeEqual(sha256(secret), expected);
  if (!same || !key || expected === DECOY_DIGEST) return undefined;
  const app = await context.apps.get(key.record.appId);
  return app ? { key, app } : undefined;
}

/**
 * The `onRequest` hook guarding every secret-key route (protocol.md §11). In order:
 * - a client IP whose failed attempts emptied its bucket → 429 `rate_limited`, before its
 *   credentials are looked at, so secrets cannot be guessed quickly;
 * - bad credentials of any kind → 401 with the one {@link UNAUTHORIZED_BODY} (and a charge to the
 *   IP's failure bucket, which failed admin tokens share: auth-failures.ts);
 * - a key whose app is suspended → 403 `app_suspended`, on every route;
 * - a key that spent its own bucket → 429 `rate_limited`.
 * Both buckets allow `config.restRatePerSec` per second with a burst of twice that. On success
 * the caller is available through {@link callerOf}.
 */
export function requireSecretKey(context: RouteContext) {
  const perKey = createRestRateLimiter(context.config.restRatePerSec);
  // Shared with the admin API: a failed admin token costs the same bucket.
  const failuresPerIp = authFailuresOf(context);

  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    // The client address behind trusted proxies (config.trustProxy); IPv6 shares a bucket per /64.
    const ip = limitKeyOf(context.clientAddress(request.raw));
    if (failuresPerIp.spent(ip)) {
      reply.header("retry-after", "1");
      throw new HttpError("rate_limited", "too many failed authentication attempts from this address");
    }
    const caller = await verifySecretKey(context, bearer(request));
    if (!caller) {
      failuresPerIp.take(ip);
      await reply.status(401).send(UNAUTHORIZED_BODY);
      return;
    }
    // Right after authentication, before any other check (protocol.md §11).
    if (caller.app.record.suspended) throw new HttpError("app_suspended", "this key's app is suspended");
    if (!perKey.take(caller.key.record.id)) {
      reply.header("retry-after", "1");
      throw new HttpError("rate_limited", "too many requests with this key");
    }
    callers.set(request, caller);
  };
}
