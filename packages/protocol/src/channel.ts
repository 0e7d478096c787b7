/**
 * Channel-name and peer-id validation (protocol.md §3, §8). Pure string work, no `Buffer`, so the
 * same checks run in the server and in browsers.
 */

import { Limits, RESERVED_CHANNEL_PREFIXES } from "./limits.js";

/**
 * UTF-8 byte length of `s`, computed without `Buffer` or `TextEncoder`.
 *
 * A well-formed surrogate pair counts 4 bytes; a lone surrogate counts 3, as the WTF-8 bytes it
 * would occupy (a `TextEncoder` would emit U+FFFD, also 3 bytes, so the two never disagree).
 */
export function utf8Length(s: string): number {
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && isLowSurrogate(s.charCodeAt(i + 1))) {
      bytes += 4;
      i++; // the low half is part of this code point
    } else bytes += 3;
  }
  return bytes;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/**
 * Validates a channel name or pattern as written by a client and returns the error code to send, or
 * `null` when it is acceptable.
 *
 * - `"invalid_channel"`: empty, over {@link Limits.maxChannelBytes} (256) UTF-8 bytes, containing a
 *   control character (U+0000–U+001F, U+007F) or a lone UTF-16 surrogate (not encodable as UTF-8),
 *   or a pattern with more than {@link Limits.maxPatternWildcardRuns} (8) wildcard runs (see
 *   {@link wildcardRuns}; hardening).
 * - `"channel_reserved"`: starts with one of {@link RESERVED_CHANNEL_PREFIXES}.
 *
 * Invalidity is reported before reservation. The checks run on the raw text, so they apply to
 * patterns and escaped names alike; since the reserved prefixes contain no `*` or `\`, the raw text
 * starts with a prefix exactly when its literal name does. This does NOT reject patterns such as
 * `_*` or `**` that could match reserved names: keeping reserved channels away from client
 * subscriptions is the server's job at delivery time. One pass over the text.
 */
export function channelError(name: string): "invalid_channel" | "channel_reserved" | null {
  if (name.length === 0) return "invalid_channel";
  if (utf8Length(name) > Limits.maxChannelBytes) return "invalid_channel";
  let runs = 0;
  let inRun = false; // the previous character was an unescaped `*`
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === ASTERISK) {
      if (!inRun) runs++;
      inRun = true;
      continue;
    }
    inRun = false;
    if (c <= 0x1f || c === 0x7f) return "invalid_channel";
    if (c >= 0xd800 && c <= 0xdbff) {
      if (!isLowSurrogate(name.charCodeAt(i + 1))) return "invalid_channel";
      i++; // skip the low half of a valid pair
    } else if (isLowSurrogate(c)) return "invalid_channel";
    else if (c === BACKSLASH) {
      const next = name.charCodeAt(i + 1);
      if (next === ASTERISK || next === BACKSLASH) i++; // `\*` and `\\` are literals
    }
  }
  if (runs > Limits.maxPatternWildcardRuns) return "invalid_channel";
  return isReservedChannel(name) ? "channel_reserved" : null;
}

/**
 * The number of wildcard runs in a pattern: maximal sequences of unescaped `*` (so `*`, `**` and
 * `***` count one each, `\*` none, `a*b**c` two). A pattern may have at most
 * {@link Limits.maxPatternWildcardRuns} (8); {@link channelError} enforces it.
 */
export function wildcardRuns(pattern: string): number {
  let runs = 0;
  let inRun = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charCodeAt(i);
    if (c === ASTERISK) {
      if (!inRun) runs++;
      inRun = true;
      continue;
    }
    inRun = false;
    const next = pattern.charCodeAt(i + 1);
    if (c === BACKSLASH && (next === ASTERISK || next === BACKSLASH)) i++; // an escape pair
  }
  return runs;
}

const ASTERISK = 0x2a;
const BACKSLASH = 0x5c;

/** True when `name` starts with one of {@link RESERVED_CHANNEL_PREFIXES} (`_metered/`, `_internal/`, `_system/`). */
export function isReservedChannel(name: string): boolean {
  return RESERVED_CHANNEL_PREFIXES.some((prefix) => name.startsWith(prefix));
}

/**
 * True when `name` contains an unescaped `*`, i.e. it is a pattern rather than a concrete name.
 * `\*` and `\\` are escapes; a backslash before any other character is itself literal and does not
 * escape what follows, so `\a*` is a pattern and `\\*` is too (literal `\` then a wildcard).
 */
export function hasWildcard(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name[i];
    if (c === "*") return true;
    if (c === "\\" && (name[i + 1] === "*" || name[i + 1] === "\\")) i++;
  }
  return false;
}

/**
 * The concrete (literal) name a wildcard-free channel string denotes: `\*` → `*`, `\\` → `\`, and
 * any other backslash (including a trailing one) stays as it is. Servers key channels by this value
 * and patterns are matched against it.
 *
 * Given a pattern, unescaped `*` characters are kept verbatim; the result is then not meaningful as
 * a name, so check {@link hasWildcard} first.
 */
export function literalName(name: string): string {
  if (!name.includes("\\")) return name; // the common case: nothing to unescape
  let out = "";
  for (let i = 0; i < name.length; i++) {
    const c = name[i] as string;
    const next = name[i + 1];
    if (c === "\\" && (next === "*" || next === "\\")) {
      out += next;
      i++;
    } else out += c;
  }
  return out;
}

/**
 * Type guard for a peerId (JWT `sub`, `send.to`, REST paths): a string of 1 to
 * {@link Limits.maxPeerIdBytes} (128) characters, each printable ASCII (0x20–0x7E), so characters
 * and bytes coincide.
 */
export function isValidPeerId(id: unknown): id is string {
  if (typeof id !== "string" || id.length === 0 || id.length > Limits.maxPeerIdBytes) return false;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}
