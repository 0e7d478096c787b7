import type { Json, JsonObject } from "@switchboard/protocol";
import type { ServerConfig } from "../config.js";
import { type IceServer, mintIceServers, type TurnSettings } from "../turn.js";
import type { Identity } from "./authenticate.js";

/** The TURN part of a server config, as {@link mintIceServers} takes it. */
export function turnSettingsOf(
  config: Pick<ServerConfig, "turnSecret" | "turnUrls" | "turnTtlSec" | "turnTtlPublishableSec">,
): TurnSettings {
  return {
    secret: config.turnSecret,
    urls: config.turnUrls,
    ttlSec: config.turnTtlSec,
    publishableTtlSec: config.turnTtlPublishableSec,
  };
}

/**
 * What `welcome.metadata` carries for `identity` (protocol.md §4, §12): the JWT `metadata` claim,
 * plus `iceServers` with fresh TURN credentials when all of these hold —
 * - TURN is configured (`turn.secret`),
 * - the key has `autoInjectTurn`,
 * - the metadata has no `iceServers` member of its own (whatever its value: a JWT's own
 *   `iceServers` always wins and is passed through untouched, even `null`).
 *
 * The credentials are minted for the connection's peerId. Their expiry is the token's `exp` (the
 * remaining life rounded up to whole seconds, so never shorter than the token), capped at
 * `turn.ttlSec`; publishable-key connections (no `exp`; their key must have opted in, the default
 * for them being off) get `turn.publishableTtlSec`, also capped at `turn.ttlSec`. Otherwise the
 * metadata is returned as is (the same object).
 */
export function welcomeMetadata(identity: Identity, turn: TurnSettings, nowMs: number): JsonObject {
  const { metadata } = identity;
  if (turn.secret === undefined || !identity.key.record.autoInjectTurn) return metadata;
  if (Object.hasOwn(metadata, "iceServers")) return metadata;
  // Whole seconds on both sides: `exp - floor(now)` equals ceil(exp - now) for a non-integer now,
  // so the credentials' expiry lands exactly on the token's `exp` (when under the cap).
  const nowSec = Math.floor(nowMs / 1000);
  const ttlSec =
    identity.expiresAt === null ? (turn.publishableTtlSec ?? turn.ttlSec) : identity.expiresAt - nowSec;
  const minted = mintIceServers(turn, identity.peerId, ttlSec, nowSec);
  if (minted === undefined) return metadata;
  return { ...metadata, iceServers: minted.iceServers.map(toJson) };
}

/** A plain JSON object without absent optional members (an interface is not a `JsonObject`). */
function toJson(server: IceServer): JsonObject {
  const entry: JsonObject = { urls: typeof server.urls === "string" ? server.urls : [...server.urls] };
  if (server.username !== undefined) entry.username = server.username;
  if (server.credential !== undefined) entry.credential = server.credential;
  return entry satisfies Record<string, Json>;
}
