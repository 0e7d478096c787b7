import { createHmac } from "node:crypto";

/** One RTCIceServer entry as handed to clients (protocol.md §12). */
export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

/** TURN settings of a node; TURN is off when `secret` is undefined. */
export interface TurnSettings {
  secret: string | undefined;
  urls: readonly string[];
  /** Longest credential lifetime handed out, in seconds. */
  ttlSec: number;
  /**
   * Longest lifetime injected into the `welcome` of a publishable-key connection (no token `exp`
   * bounds it), in seconds; `ttlSec` still caps it. Default: `ttlSec`.
   */
  publishableTtlSec?: number;
}

/**
 * Mints TURN credentials in the coturn `use-auth-secret` (TURN REST) convention: username
 * `"<unix expiry>:<peerId>"`, credential `base64(HMAC-SHA1(secret, username))`. `ttlSec` is capped
 * at the configured TTL. STUN URLs get an entry of their own without credentials.
 * Returns undefined when TURN is not configured.
 */
export function mintIceServers(
  turn: TurnSettings,
  peerId: string,
  ttlSec: number,
  nowSec = Math.floor(Date.now() / 1000),
): { iceServers: IceServer[]; expiresAt: number } | undefined {
  if (turn.secret === undefined) return undefined;
  const expiresAt = nowSec + Math.max(1, Math.min(Math.ceil(ttlSec), turn.ttlSec));
  const username = `${expiresAt}:${peerId}`;
  const credential = createHmac("sha1", turn.secret).update(username).digest("base64");
  const stun = turn.urls.filter((u) => u.startsWith("stun"));
  const relay = turn.urls.filter((u) => u.startsWith("turn"));
  const iceServers: IceServer[] = [];
  if (stun.length > 0) iceServers.push({ urls: stun });
  iceServers.push({ urls: relay, username, credential });
  return { iceServers, expiresAt };
}
