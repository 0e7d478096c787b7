import { CloseCode, Limits, patternCovers } from "@switchboard/protocol";
import { type ConnectClaims, parseConnectClaims } from "./claims.js";
import { readHs256Jws, verifyHs256 } from "./hs256.js";
import type { KeyDirectory, ResolvedKey } from "./keys.js";

export type JwtOutcome =
  | { ok: true; claims: ConnectClaims; key: ResolvedKey }
  | {
      ok: false;
      close:
        | typeof CloseCode.InvalidToken
        | typeof CloseCode.TokenExpired
        | typeof CloseCode.ChannelNotAuthorized;
    };

const decoder = new TextDecoder("utf-8", { fatal: true });
const invalid = { ok: false, close: CloseCode.InvalidToken } as const;

/**
 * Verifies a connect token (protocol.md §2) in this order: shape and size, header (`alg` HS256
 * only, `kid` of a live secret key), signature, claim types and caps → 4001; `exp` ≤ now → 4002;
 * `nbf` beyond now + 5 s → 4001; a `channels` entry or permission outside the key's → 4003.
 * The signature is checked with node:crypto (hs256.ts) rather than jose: same rules, a small
 * fraction of the CPU.
 */
export async function verifyConnectToken(
  token: string,
  keys: KeyDirectory,
  nowMs: number,
): Promise<JwtOutcome> {
  if (token.length > Limits.maxTokenBytes) return invalid;
  const jws = readHs256Jws(token);
  if (!jws) return invalid;
  const { kid } = jws.header;
  if (typeof kid !== "string" || !kid.startsWith("sk_id_")) return invalid;
  const key = await keys.lookup(kid);
  if (!key?.hmacKey || key.record.type !== "secret") return invalid;
  if (!verifyHs256(jws, key.hmacKey)) return invalid;

  let payload: unknown;
  try {
    payload = JSON.parse(decoder.decode(jws.payload));
  } catch {
    return invalid;
  }
  const claims = parseConnectClaims(payload);
  if (!claims) return invalid;

  const nowSec = nowMs / 1000;
  if (claims.exp <= nowSec) return { ok: false, close: CloseCode.TokenExpired };
  if (claims.nbf !== undefined && claims.nbf > nowSec + Limits.nbfLeewaySec) return invalid;

  const keyActions = key.scope.actions;
  const withinKey =
    claims.permissions.every((action) => keyActions.has(action)) &&
    claims.channels.every((channel) => patternCovers(channel, key.scope.patterns));
  if (!withinKey) return { ok: false, close: CloseCode.ChannelNotAuthorized };
  return { ok: true, claims, key };
}
