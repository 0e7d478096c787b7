import { CloseCode, Limits, nestsDeeperThan } from "@switchboard/protocol";
import { type ConnectClaims, parseConnectClaims } from "./claims.js";
import { COVERAGE_BUDGET, patternsCoverageInSlices } from "./coverage-budget.js";
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

/** `ServerConfig.maxTokenTtlSec`'s default: a day. */
export const DEFAULT_MAX_TOKEN_TTL_SEC = 86_400;

/**
 * Whether a token's lifetime is acceptable (protocol.md §13, hardening): `iat` at most 5 s (the
 * `nbf` leeway) in the future, and `exp − (iat, or now when absent)` at most `maxTokenTtlSec`. A
 * long-lived token cannot be passed off as short by an `iat` in the future either.
 */
export function lifetimeWithin(
  claims: Pick<ConnectClaims, "exp" | "iat">,
  nowSec: number,
  maxTokenTtlSec: number,
): boolean {
  if (claims.iat !== undefined && claims.iat > nowSec + Limits.nbfLeewaySec) return false;
  return claims.exp - (claims.iat ?? nowSec) <= maxTokenTtlSec;
}
const invalid = { ok: false, close: CloseCode.InvalidToken } as const;

/**
 * Verifies a connect token (protocol.md §2) in this order: shape and size, header (`alg` HS256
 * only, `kid` of a live secret key), signature, claim types and caps → 4001; `exp` ≤ now → 4002;
 * `nbf` beyond now + 5 s, `iat` beyond now + 5 s, or a lifetime `exp − (iat or now)` over
 * `maxTokenTtlSec` → 4001; a `channels` entry or permission outside the key's → 4003 (as is a
 * coverage check of the channels that needs more than `coverageSteps` transitions in total).
 * The signature is checked with node:crypto (hs256.ts) rather than jose: same rules, a small
 * fraction of the CPU.
 */
export async function verifyConnectToken(
  token: string,
  keys: KeyDirectory,
  nowMs: number,
  maxTokenTtlSec: number = DEFAULT_MAX_TOKEN_TTL_SEC,
  coverageSteps: number = COVERAGE_BUDGET,
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
    const text = decoder.decode(jws.payload);
    // `metadata`/`peerMetadata` follow the frames' depth limit (the claim counts as level 1, inside
    // the payload object): deeper JSON cannot be re-serialised for `welcome` on a bounded stack.
    if (nestsDeeperThan(text, Limits.maxJsonDepth + 1)) return invalid;
    payload = JSON.parse(text);
  } catch {
    return invalid;
  }
  const claims = parseConnectClaims(payload);
  if (!claims) return invalid;

  const nowSec = nowMs / 1000;
  if (claims.exp <= nowSec) return { ok: false, close: CloseCode.TokenExpired };
  if (claims.nbf !== undefined && claims.nbf > nowSec + Limits.nbfLeewaySec) return invalid;
  if (!lifetimeWithin(claims, nowSec, maxTokenTtlSec)) return invalid;

  const keyActions = key.scope.actions;
  const withinKey =
    claims.permissions.every((action) => keyActions.has(action)) &&
    // One coverage budget for all the channels together (auth/coverage-budget.ts): a search cut
    // off there refuses with 4003, so 100 crafted patterns cost one subscribe's bound, not 100;
    // searched in slices, so other connections' frames do not wait behind it.
    (await patternsCoverageInSlices(claims.channels, key.scope.patterns, coverageSteps)).covered;
  if (!withinKey) return { ok: false, close: CloseCode.ChannelNotAuthorized };
  return { ok: true, claims, key };
}
