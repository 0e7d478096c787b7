/** Validation of ICE servers received from the server (protocol.md §12). */

import type { Logger } from "./logger.js";
import type { IceServer } from "./types.js";

/** Most entries accepted; later entries are dropped. */
export const MAX_ICE_SERVERS = 16;
/** Longest accepted URL, characters. */
export const MAX_ICE_URL_LENGTH = 512;
/** Longest accepted `username` or `credential`, characters. */
export const MAX_ICE_CREDENTIAL_LENGTH = 1024;

const SCHEMES = ["stun:", "stuns:", "turn:", "turns:"];

/**
 * Returns the valid ICE servers in `value`, as fresh objects holding only `urls`, `username` and
 * `credential`. Never throws. Rules:
 * - `value` must be an array (anything else → `[]`); only its first {@link MAX_ICE_SERVERS} (16)
 *   entries are considered;
 * - an entry is an object whose `urls` is a string or a non-empty array of strings, each at most
 *   512 characters and starting with `stun:`, `stuns:`, `turn:` or `turns:` (case-insensitive);
 * - `username` and `credential`, when present, are strings of at most 1024 characters.
 *
 * Invalid entries are dropped and logged at debug with their index and the rule they broke —
 * never their URLs or credentials.
 */
export function validateIceServers(value: unknown, logger?: Logger): IceServer[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    logger?.debug("iceServers ignored: not an array");
    return [];
  }
  if (value.length > MAX_ICE_SERVERS) {
    logger?.debug("iceServers truncated", { received: value.length, kept: MAX_ICE_SERVERS });
  }
  const out: IceServer[] = [];
  value.slice(0, MAX_ICE_SERVERS).forEach((entry: unknown, index) => {
    const problem = entryProblem(entry);
    if (problem !== null) {
      logger?.debug("iceServers entry dropped", { index, problem });
      return;
    }
    const e = entry as { urls: string | string[]; username?: string; credential?: string };
    const server: IceServer = { urls: Array.isArray(e.urls) ? [...e.urls] : e.urls };
    if (e.username !== undefined) server.username = e.username;
    if (e.credential !== undefined) server.credential = e.credential;
    out.push(server);
  });
  return out;
}

function entryProblem(entry: unknown): string | null {
  if (typeof entry !== "object" || entry === null || Array.isArray(entry)) return "not an object";
  const e = entry as Record<string, unknown>;
  const urls = Object.hasOwn(e, "urls") ? e.urls : undefined;
  const list = typeof urls === "string" ? [urls] : urls;
  if (!Array.isArray(list) || list.length === 0) return "urls must be a string or a non-empty array";
  for (const url of list) {
    if (typeof url !== "string") return "urls must be strings";
    if (url.length > MAX_ICE_URL_LENGTH) return "url too long";
    const lower = url.toLowerCase();
    if (!SCHEMES.some((scheme) => lower.startsWith(scheme))) return "url scheme not stun/stuns/turn/turns";
  }
  for (const field of ["username", "credential"] as const) {
    const v = Object.hasOwn(e, field) ? e[field] : undefined;
    if (v === undefined) continue;
    if (typeof v !== "string") return `${field} must be a string`;
    if (v.length > MAX_ICE_CREDENTIAL_LENGTH) return `${field} too long`;
  }
  return null;
}
