import { createHmac, timingSafeEqual } from "node:crypto";
import { decodeBase64url } from "./base64url.js";

/** A compact JWS whose encoding and protected header checked out; its signature is not verified yet. */
export interface Hs256Jws {
  /** The protected header: a JSON object whose `alg` is `HS256`. */
  readonly header: Readonly<Record<string, unknown>>;
  /** `header.payload` as sent: the bytes the signature covers. */
  readonly signingInput: string;
  /** The decoded payload; not to be believed before {@link verifyHs256} says so. */
  readonly payload: Buffer;
  /** The decoded signature: 32 bytes for HMAC-SHA-256. */
  readonly signature: Buffer;
}

const HMAC_SHA256_BYTES = 32;
const utf8 = new TextDecoder("utf-8", { fatal: true });

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * `crit` as jose's `compactVerify` treats it with no extensions of ours: absent, or a non-empty
 * list naming only `b64` (the one extension jose knows) with `b64` present in the header. `b64:
 * false` (RFC 7797) would sign the payload segment unencoded; a compact segment is base64url
 * characters only, which never spell a JSON object, so jose's answer for it is always a 4001 too.
 */
function critAllowed(header: Record<string, unknown>): boolean {
  const { crit } = header;
  if (crit === undefined) return true;
  if (!Array.isArray(crit) || crit.length === 0) return false;
  if (!crit.every((name) => name === "b64")) return false;
  return header.b64 === true;
}

/**
 * Splits and checks a compact JWS for HS256 (RFC 7515 §7.1) without any key: exactly three
 * non-empty segments in canonical base64url (the payload's too, so nothing but its signature is
 * left to check), a protected header that is a UTF-8 JSON object with
 * `alg` exactly `HS256` and an acceptable `crit`, and a 32-byte signature. Undefined for any
 * problem. The kid in `header` picks the key for {@link verifyHs256}.
 *
 * This replaces jose's `decodeProtectedHeader` + `compactVerify` on the connect hot path (jose's
 * WebCrypto key import and async verify cost ≈ 35 % of the server CPU of a handshake). It accepts
 * a subset of what jose accepts: the same rules, and non-canonical base64url refused as well.
 */
export function readHs256Jws(token: string): Hs256Jws | undefined {
  const firstDot = token.indexOf(".");
  const secondDot = token.indexOf(".", firstDot + 1);
  if (firstDot <= 0 || secondDot < 0 || token.indexOf(".", secondDot + 1) !== -1) return undefined;
  if (secondDot === firstDot + 1 || secondDot === token.length - 1) return undefined;

  const headerBytes = decodeBase64url(token.slice(0, firstDot));
  if (!headerBytes) return undefined;
  let header: unknown;
  try {
    header = JSON.parse(utf8.decode(headerBytes));
  } catch {
    return undefined;
  }
  if (!isPlainObject(header) || header.alg !== "HS256" || !critAllowed(header)) return undefined;

  const payload = decodeBase64url(token.slice(firstDot + 1, secondDot));
  const signature = decodeBase64url(token.slice(secondDot + 1));
  if (!payload || signature?.length !== HMAC_SHA256_BYTES) return undefined;
  // Every segment is base64url, so the signing input is ASCII: its UTF-8 bytes are its characters.
  return { header, signingInput: token.slice(0, secondDot), payload, signature };
}

/**
 * Whether `jws` carries a valid HMAC-SHA-256 signature under `secret` (compared in constant time).
 * Synchronous: a node:crypto HMAC of a token costs a few µs, far less than a WebCrypto job.
 */
export function verifyHs256(jws: Hs256Jws, secret: Uint8Array): boolean {
  const expected = createHmac("sha256", secret).update(jws.signingInput).digest();
  return timingSafeEqual(expected, jws.signature);
}
