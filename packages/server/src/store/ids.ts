import { randomBytes } from "node:crypto";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
// 248 = 4 × 62: bytes at or above it are discarded so every character is equally likely (no modulo bias).
const UNBIASED_LIMIT = 248;

/** `length` uniformly random base62 characters from the OS CSPRNG (≈ 5.95 bits each). */
export function randomBase62(length: number): string {
  let out = "";
  while (out.length < length) {
    // Ask for a little more than needed so one call nearly always suffices despite rejections.
    for (const byte of randomBytes(length - out.length + 8)) {
      if (byte >= UNBIASED_LIMIT) continue;
      out += BASE62[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

/** App id: `app_` + 16 base62 (≈ 95 bits). Not a secret, just unguessable enough to never collide. */
export function newAppId(): string {
  return `app_${randomBase62(16)}`;
}

/** Publishable key: `pk_live_` + 24 base62 (≈ 143 bits). The id is the credential (protocol.md §1). */
export function newPublishableKeyId(): string {
  return `pk_live_${randomBase62(24)}`;
}

/** Secret key id: `sk_id_` + 24 base62. Public: it travels as the JWT header `kid`. */
export function newSecretKeyId(): string {
  return `sk_id_${randomBase62(24)}`;
}

/** Signing secret: `sk_secret_` + base64url of 32 random bytes (256 bits, protocol.md §1). */
export function newSigningSecret(): string {
  return `sk_secret_${randomBytes(32).toString("base64url")}`;
}

/** Shapes of the ids above, for tests and for cheap rejection of garbage before a lookup. */
export const ID_PATTERNS = {
  app: /^app_[0-9A-Za-z]{16}$/,
  publishableKey: /^pk_live_[0-9A-Za-z]{24}$/,
  secretKeyId: /^sk_id_[0-9A-Za-z]{24}$/,
  signingSecret: /^sk_secret_[0-9A-Za-z_-]{43}$/,
} as const;
