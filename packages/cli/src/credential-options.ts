import { Option } from "commander";
import { UsageError } from "./errors.js";
import { integerIn } from "./parse.js";

/** The credential flags of `serve` as commander hands them over. */
export interface CredentialOptions {
  adminToken?: string;
  maxTokenTtl: number;
}

/** Shortest admin token `serve --admin-token` accepts (protocol.md §13): guessing must be hopeless. */
export const MIN_ADMIN_TOKEN_CHARS = 32;
/** Longest connect-token lifetime `--max-token-ttl` accepts: 30 days. */
export const MAX_TOKEN_TTL_LIMIT_SEC = 30 * 86_400;

/**
 * `--max-token-ttl <seconds>` (env `SWITCHBOARD_MAX_TOKEN_TTL`, default 86400): the longest JWT
 * lifetime (`exp − (iat or now)`) the handshake accepts and `POST /v1/tokens` mints.
 */
export function maxTokenTtlOption(): Option {
  return new Option(
    "--max-token-ttl <seconds>",
    "longest connect-token lifetime accepted (4001 beyond it) and minted by POST /v1/tokens",
  )
    .env("SWITCHBOARD_MAX_TOKEN_TTL")
    .default(86_400)
    .argParser(integerIn(1, MAX_TOKEN_TTL_LIMIT_SEC));
}

/**
 * The server config of the credential flags. Throws {@link UsageError} (exit 2) for an admin token
 * shorter than {@link MIN_ADMIN_TOKEN_CHARS}; the message never contains the token.
 */
export function credentialConfig(options: CredentialOptions): { maxTokenTtlSec: number } {
  const { adminToken } = options;
  if (adminToken !== undefined && adminToken.length < MIN_ADMIN_TOKEN_CHARS) {
    throw new UsageError(
      `--admin-token (SWITCHBOARD_ADMIN_TOKEN) must be at least ${MIN_ADMIN_TOKEN_CHARS} characters; ` +
        `got ${adminToken.length} (value not shown). Generate one with: openssl rand -base64 32`,
    );
  }
  return { maxTokenTtlSec: options.maxTokenTtl };
}
