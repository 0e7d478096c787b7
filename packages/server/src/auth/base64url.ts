const ALPHABET = /^[A-Za-z0-9_-]*$/;
const ALPHABET_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
/** The 6-bit value of each base64url character, indexed by char code (-1: not in the alphabet). */
const SEXTET = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET_CHARS.length; i++) SEXTET[ALPHABET_CHARS.charCodeAt(i)] = i;

/**
 * Decodes unpadded base64url (RFC 7515 §2) strictly: only the base64url alphabet, no `=`, and the
 * canonical spelling only, so a length that leaves 1 character over and a last character with
 * non-zero unused bits are refused. `Buffer.from(s, "base64url")` silently skips both; accepting
 * them would give one signature several spellings. Undefined when the input is not canonical.
 */
export function decodeBase64url(segment: string): Buffer | undefined {
  const rest = segment.length % 4;
  if (rest === 1 || !ALPHABET.test(segment)) return undefined;
  if (rest !== 0) {
    const last = SEXTET[segment.charCodeAt(segment.length - 1)] as number;
    // 2 characters carry 12 bits for 1 byte (4 unused), 3 carry 18 bits for 2 bytes (2 unused).
    const unusedMask = rest === 2 ? 0b1111 : 0b11;
    if ((last & unusedMask) !== 0) return undefined;
  }
  return Buffer.from(segment, "base64url");
}
