import {
  type Action,
  channelError,
  type JsonObject as Json,
  Limits,
  utf8Length,
} from "@switchboard/protocol";
import type { FastifyInstance } from "fastify";
import { SignJWT } from "jose";
import { type Static, Type } from "typebox";
import { COVERAGE_BUDGET, patternsCoverageInSlices } from "../../auth/coverage-budget.js";
import type { ResolvedKey } from "../../auth/keys.js";
import type { ServerConfig } from "../../config.js";
import { HttpError } from "../errors.js";
import { type Caller, callerOf } from "../secret-key-auth.js";
import { Action as ActionSchema, COMMON_ERRORS, JsonObject, PeerId, SECRET_KEY_SECURITY } from "./schemas.js";

/**
 * Default lifetime of a minted token, and the default of the longest (protocol.md §11); the longest
 * is `config.maxTokenTtlSec` (`--max-token-ttl`), which also bounds what the handshake accepts.
 */
export const TOKEN_TTL = { defaultSec: 3600, maxSec: 86_400 } as const;
/** At most this many permission entries (duplicates included) in a token request. */
const MAX_PERMISSIONS = 16;

export const TokenRequest = Type.Object(
  {
    peerId: PeerId,
    channels: Type.Optional(
      Type.Array(Type.String({ description: "channel name or pattern, 1–256 bytes of UTF-8" }), {
        maxItems: Limits.maxSubscriptions,
        description: "patterns the token grants; each must be covered by the key's. Default: the key's",
      }),
    ),
    permissions: Type.Optional(
      Type.Array(ActionSchema, {
        maxItems: MAX_PERMISSIONS,
        description: "actions the token grants; each must be one of the key's. Default: the key's",
      }),
    ),
    expiresInSec: Type.Optional(
      Type.Integer({
        minimum: 1,
        default: TOKEN_TTL.defaultSec,
        description: `lifetime; at most the server's maximum token lifetime (default ${TOKEN_TTL.maxSec}); the default is capped by it too`,
      }),
    ),
    metadata: Type.Optional(JsonObject("handed to the client in welcome.metadata; ≤ 8192 bytes as JSON")),
    peerMetadata: Type.Optional(
      JsonObject("shown to others in presence and (opt-in) messages; ≤ 4096 bytes as JSON"),
    ),
  },
  { additionalProperties: false },
);
export type TokenRequest = Static<typeof TokenRequest>;

export const TokenResponse = Type.Object(
  {
    token: Type.String({ description: "HS256 JWT for ws(s)://HOST/v1?token=…" }),
    expiresAt: Type.Integer({ description: "the token's exp, unix seconds" }),
  },
  { description: "the minted token" },
);

const unique = <T>(items: readonly T[]): T[] => [...new Set(items)];

/**
 * Checks the request against the protocol caps (400) and the key's scope (403); returns the grant.
 * The coverage checks of all the channels together search at most `coverageSteps` transitions (one
 * subscribe's bound, auth/coverage-budget.ts), in slices; a check cut off there refuses (403).
 */
async function grantOf(
  caller: Pick<Caller, "key">,
  body: TokenRequest,
  coverageSteps: number,
): Promise<{ channels: string[]; permissions: Action[] }> {
  const { scope } = caller.key;
  const channels = unique(body.channels ?? scope.patterns);
  const permissions = unique(body.permissions ?? [...scope.actions]);
  for (const channel of channels) {
    const problem = channelError(channel);
    if (problem === "invalid_channel") {
      throw new HttpError(
        "invalid_request",
        `channels are 1–256 bytes of UTF-8 without control characters, with at most ${Limits.maxPatternWildcardRuns} wildcard runs`,
      );
    }
    // Clients can never use reserved names, so granting one is a mistake worth reporting.
    if (problem === "channel_reserved") throw new HttpError("channel_reserved", `${channel} is reserved`);
  }
  for (const [field, value, max] of [
    ["metadata", body.metadata, Limits.maxMetadataBytes],
    ["peerMetadata", body.peerMetadata, Limits.maxPeerMetadataBytes],
  ] as const) {
    if (value !== undefined && utf8Length(JSON.stringify(value)) > max) {
      throw new HttpError("invalid_request", `${field} is over ${max} bytes as JSON`);
    }
  }
  if (!(await patternsCoverageInSlices(channels, scope.patterns, coverageSteps)).covered) {
    throw new HttpError("channel_not_authorized", "a channel is not covered by this key's channel patterns");
  }
  if (!permissions.every((action) => scope.actions.has(action))) {
    throw new HttpError("action_not_permitted", "a permission is not one of this key's actions");
  }
  return { channels, permissions };
}

/**
 * `POST /v1/tokens`: mints a connect token (protocol.md §2 claims) signed HS256 with the calling
 * key, `kid` = its id. Defaults: channels and permissions = the key's, lifetime 3600 s (or the
 * server's maximum token lifetime when that is shorter); a longer `expiresInSec` than it → 400.
 */
export function registerTokenRoute(
  app: FastifyInstance,
  config: Pick<ServerConfig, "maxTokenTtlSec" | "rateBurst">,
): void {
  app.post<{ Body: TokenRequest }>(
    "/v1/tokens",
    {
      schema: {
        summary: "Mint a connect token",
        tags: ["tokens"],
        security: SECRET_KEY_SECURITY,
        body: TokenRequest,
        response: { 200: TokenResponse, ...COMMON_ERRORS },
      },
    },
    async (request) => mintToken(callerOf(request).key, request.body, config.maxTokenTtlSec),
  );
}

/**
 * Mints a connect token signed with secret key `key` (the grant checked against its scope, as
 * `POST /v1/tokens` does); shared by that route and the admin API's `POST /keys/:keyId/tokens`.
 */
export async function mintToken(
  key: ResolvedKey,
  body: TokenRequest,
  maxSec: number,
): Promise<{ token: string; expiresAt: number }> {
  const grant = await grantOf({ key }, body, COVERAGE_BUDGET);
  const iat = Math.floor(Date.now() / 1000);
  if (body.expiresInSec !== undefined && body.expiresInSec > maxSec) {
    throw new HttpError("invalid_request", `expiresInSec is over this server's maximum of ${maxSec}`);
  }
  const expiresAt = iat + (body.expiresInSec ?? Math.min(TOKEN_TTL.defaultSec, maxSec));
  const claims: Record<string, unknown> = { channels: grant.channels, permissions: grant.permissions };
  if (body.metadata !== undefined) claims.metadata = body.metadata as Json;
  if (body.peerMetadata !== undefined) claims.peerMetadata = body.peerMetadata as Json;
  const hmacKey = key.hmacKey;
  if (!hmacKey) throw new Error("secret key without signing secret");
  const token = await new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256", kid: key.record.id })
    .setSubject(body.peerId)
    .setIssuedAt(iat)
    .setExpirationTime(expiresAt)
    .sign(hmacKey);
  return { token, expiresAt };
}
