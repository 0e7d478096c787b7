import { randomUUID } from "node:crypto";
import { CloseCode, type JsonObject } from "@switchboard/protocol";
import { verifyConnectToken } from "./jwt.js";
import type { KeyDirectory, ResolvedKey } from "./keys.js";
import type { Scope } from "./scope.js";
import { sharedScopes } from "./scope-cache.js";

/** Who a connection is, once its credential checked out. */
export interface Identity {
  key: ResolvedKey;
  appId: string;
  peerId: string;
  scope: Scope;
  /** JWT `exp` in unix seconds; null for publishable keys. */
  expiresAt: number | null;
  /**
   * What `welcome.metadata` carries (the JWT `metadata` claim, `{}` when none). Read for the
   * `welcome` only: the gateway then sets it to {@link NO_METADATA}, so a claim of up to 8 KB is
   * not kept for the life of the connection.
   */
  metadata: JsonObject;
  /** Stamped on presence and (opt-in) messages; publishable keys never have any. */
  peerMetadata: JsonObject | undefined;
}

export type AuthOutcome = { ok: true; identity: Identity } | { ok: false; close: number };

const PUBLISHABLE_KEY_SHAPE = /^pk_live_[A-Za-z0-9]{1,64}$/;
const invalid = { ok: false, close: CloseCode.InvalidToken } as const;

/**
 * The `metadata` of every identity without any: one object, never mutated (the welcome copies it
 * before adding TURN credentials), instead of an empty object kept by each connection.
 */
export const NO_METADATA: JsonObject = Object.freeze({});

/**
 * Authenticates a WebSocket upgrade from its query (`token` xor `key`) and `Origin` header.
 * Every credential failure maps to one close code (protocol.md §2) and never says which check failed.
 */
export async function authenticate(
  query: URLSearchParams,
  origin: string | undefined,
  keys: KeyDirectory,
  nowMs: number,
  maxTokenTtlSec?: number,
  coverageSteps?: number,
): Promise<AuthOutcome> {
  const tokens = query.getAll("token");
  const apiKeys = query.getAll("key");
  if (tokens.length + apiKeys.length !== 1) return invalid;

  const token = tokens[0];
  if (token !== undefined) {
    const outcome = await verifyConnectToken(token, keys, nowMs, maxTokenTtlSec, coverageSteps);
    if (!outcome.ok) return outcome;
    const { claims, key } = outcome;
    return {
      ok: true,
      identity: {
        key,
        appId: key.record.appId,
        peerId: claims.sub,
        scope: sharedScopes.scopeOf(claims.channels, claims.permissions),
        expiresAt: claims.exp,
        metadata: claims.metadata ?? NO_METADATA,
        peerMetadata: claims.peerMetadata,
      },
    };
  }

  const apiKey = apiKeys[0] ?? "";
  if (!PUBLISHABLE_KEY_SHAPE.test(apiKey)) return invalid;
  const key = await keys.lookup(apiKey);
  if (key?.record.type !== "publishable") return invalid;
  const allowed = key.record.allowedOrigins;
  // A non-empty allow-list refuses clients that send no Origin at all (protocol.md §1 [ours]).
  if (allowed.length > 0 && (origin === undefined || !allowed.includes(origin))) return invalid;
  return {
    ok: true,
    identity: {
      key,
      appId: key.record.appId,
      peerId: randomUUID(),
      scope: key.scope,
      expiresAt: null,
      metadata: NO_METADATA,
      peerMetadata: undefined,
    },
  };
}
