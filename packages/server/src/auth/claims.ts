import {
  type Action,
  channelError,
  isAction,
  isValidPeerId,
  type JsonObject,
  Limits,
  utf8Length,
} from "@switchboard/protocol";

/** The claims of a connect token after validation (protocol.md §2). */
export interface ConnectClaims {
  sub: string;
  /** Unix seconds. */
  exp: number;
  channels: string[];
  permissions: Action[];
  nbf?: number;
  /** Unix seconds; the token's lifetime is counted from it when present. */
  iat?: number;
  metadata?: JsonObject;
  peerMetadata?: JsonObject;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function jsonObjectWithin(value: unknown, maxBytes: number): value is JsonObject {
  return isPlainObject(value) && utf8Length(JSON.stringify(value)) <= maxBytes;
}

/**
 * Checks types and caps of every claim; undefined when any is wrong (the handshake answers 4001
 * without saying which). Time claims are only type-checked here; the caller compares them to now.
 */
export function parseConnectClaims(payload: unknown): ConnectClaims | undefined {
  if (!isPlainObject(payload)) return undefined;
  const { sub, exp, channels, permissions, nbf, iat, iss, metadata, peerMetadata } = payload;
  if (!isValidPeerId(sub)) return undefined;
  if (typeof exp !== "number" || !Number.isFinite(exp)) return undefined;
  if (!Array.isArray(channels) || channels.length > Limits.maxSubscriptions) return undefined;
  for (const channel of channels) {
    if (typeof channel !== "string" || channelError(channel) === "invalid_channel") return undefined;
  }
  if (!Array.isArray(permissions) || !permissions.every(isAction)) return undefined;
  if (nbf !== undefined && (typeof nbf !== "number" || !Number.isFinite(nbf))) return undefined;
  if (iat !== undefined && (typeof iat !== "number" || !Number.isFinite(iat))) return undefined;
  if (iss !== undefined && typeof iss !== "string") return undefined;
  if (metadata !== undefined && !jsonObjectWithin(metadata, Limits.maxMetadataBytes)) return undefined;
  if (peerMetadata !== undefined && !jsonObjectWithin(peerMetadata, Limits.maxPeerMetadataBytes)) {
    return undefined;
  }
  const claims: ConnectClaims = {
    sub,
    exp,
    channels: channels as string[],
    permissions: [...new Set(permissions as Action[])],
  };
  if (nbf !== undefined) claims.nbf = nbf as number;
  if (iat !== undefined) claims.iat = iat as number;
  if (metadata !== undefined) claims.metadata = metadata as JsonObject;
  if (peerMetadata !== undefined) claims.peerMetadata = peerMetadata as JsonObject;
  return claims;
}
