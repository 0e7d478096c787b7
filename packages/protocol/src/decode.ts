/**
 * Frame decoding (protocol.md §3–§4). The server decodes each client frame exactly once, here; SDKs
 * and tests use {@link decodeServerFrame}. Neither validates channel names or peer ids: that is
 * `channelError` / `isValidPeerId`, applied by the command that needs them.
 */

import { utf8Length } from "./channel.js";
import { ErrorCode } from "./codes.js";
import type { ClientFrame, Json, ServerFrame } from "./frames.js";
import { Limits } from "./limits.js";

/**
 * Outcome of {@link decodeClientFrame}: the frame, or the error to answer with. `requestId` is set
 * on a failure whenever the frame carried a valid one, so the error frame can echo it.
 */
export type DecodeResult =
  | { ok: true; frame: ClientFrame }
  | { ok: false; code: ErrorCode; message: string; requestId?: string };

type Fields = { readonly [key: string]: unknown };

/**
 * Decodes one client text frame. Never throws, whatever it is given.
 *
 * Checks, in order (every failure is `malformed_message` unless stated):
 * 1. the text parses as JSON and the value is an object (not an array, `null` or a primitive);
 * 2. `requestId`, if present, is a string of ≤ {@link Limits.maxRequestIdBytes} (128) UTF-8 bytes
 *    (a bad one is not echoed; a good one is echoed by every later failure, including 3);
 * 3. `type` is a string;
 * 4. `type` is one of subscribe, unsubscribe, publish, send, ping, else `unknown_type`;
 * 5. the type's fields are present with the right JSON types (`channel`/`to`: string,
 *    `includeSenderMetadata`: boolean if present);
 * 6. `publish`/`send` carry a `data` key (any JSON value, `null` included), else `missing_data`.
 *
 * Only own properties are read (a `__proto__` key is just data), and the returned frame is a fresh
 * object holding only the known fields; unknown fields are dropped. `data` is passed through as is.
 */
export function decodeClientFrame(text: string): DecodeResult {
  if (nestsDeeperThan(text, Limits.maxJsonDepth)) {
    return {
      ok: false,
      code: ErrorCode.MalformedMessage,
      message: `frame nests deeper than ${Limits.maxJsonDepth} levels`,
    };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, code: ErrorCode.MalformedMessage, message: "frame is not valid JSON" };
  }
  if (!isPlainObject(value)) {
    return { ok: false, code: ErrorCode.MalformedMessage, message: "frame must be a JSON object" };
  }

  const requestId = own(value, "requestId");
  if (requestId !== undefined && !isValidRequestId(requestId)) {
    return {
      ok: false,
      code: ErrorCode.MalformedMessage,
      message: `requestId must be a string of at most ${Limits.maxRequestIdBytes} UTF-8 bytes`,
    };
  }
  const fail = (code: ErrorCode, message: string): DecodeResult =>
    requestId === undefined ? { ok: false, code, message } : { ok: false, code, message, requestId };
  const ok = (frame: ClientFrame): DecodeResult => {
    if (requestId !== undefined) frame.requestId = requestId;
    return { ok: true, frame };
  };

  const malformed = (message: string): DecodeResult => fail(ErrorCode.MalformedMessage, message);

  const type = own(value, "type");
  if (typeof type !== "string") return malformed("frame needs a string `type`");

  switch (type) {
    case "subscribe": {
      const channel = own(value, "channel");
      const include = own(value, "includeSenderMetadata");
      if (typeof channel !== "string") return malformed("subscribe needs a string `channel`");
      if (include === undefined) return ok({ type, channel });
      if (typeof include !== "boolean") return malformed("`includeSenderMetadata` must be a boolean");
      return ok({ type, channel, includeSenderMetadata: include });
    }
    case "unsubscribe": {
      const channel = own(value, "channel");
      if (typeof channel !== "string") return malformed("unsubscribe needs a string `channel`");
      return ok({ type, channel });
    }
    case "publish": {
      const channel = own(value, "channel");
      if (typeof channel !== "string") return malformed("publish needs a string `channel`");
      // Field types first, then presence of `data`: `{"type":"publish"}` is malformed, not missing_data.
      if (!Object.hasOwn(value, "data")) return fail(ErrorCode.MissingData, "publish needs `data`");
      return ok({ type, channel, data: value.data as Json });
    }
    case "send": {
      const to = own(value, "to");
      if (typeof to !== "string") return malformed("send needs a string `to`");
      if (!Object.hasOwn(value, "data")) return fail(ErrorCode.MissingData, "send needs `data`");
      return ok({ type, to, data: value.data as Json });
    }
    case "ping":
      return ok({ type });
    default:
      // Truncated so a huge bogus type cannot bloat the error frame.
      return fail(ErrorCode.UnknownType, `unknown frame type ${JSON.stringify(type.slice(0, 64))}`);
  }
}

/**
 * Decodes one server text frame, checking only its shape: a known `type` with its required fields
 * of the right JSON types (optional ones checked when present). Returns `undefined` for anything
 * else; never throws.
 *
 * Lenient on purpose, so SDKs keep working against newer servers: unknown extra fields are kept
 * (the parsed object is returned as is), and an `error` frame's `code` is accepted as any string,
 * so it may be a code newer than this package's {@link ErrorCode} list.
 */
export function decodeServerFrame(text: string): ServerFrame | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isPlainObject(value)) return undefined;
  return isServerFrame(value) ? (value as unknown as ServerFrame) : undefined;
}

function isServerFrame(f: Fields): boolean {
  switch (own(f, "type")) {
    case "welcome":
      return (
        typeof own(f, "peerId") === "string" &&
        (own(f, "expiresAt") === null || isFiniteNumber(own(f, "expiresAt"))) &&
        isFiniteNumber(own(f, "serverTime")) &&
        isFiniteNumber(own(f, "maxMessageSize")) &&
        isPlainObject(own(f, "metadata"))
      );
    case "ack":
      return typeof own(f, "requestId") === "string";
    case "error":
      return (
        typeof own(f, "code") === "string" &&
        typeof own(f, "message") === "string" &&
        optional(f, "requestId", isString)
      );
    case "message":
      return (
        typeof own(f, "channel") === "string" &&
        typeof own(f, "from") === "string" &&
        Object.hasOwn(f, "data") &&
        optional(f, "fromMetadata", isPlainObject)
      );
    case "direct":
      return (
        typeof own(f, "from") === "string" &&
        Object.hasOwn(f, "data") &&
        optional(f, "fromMetadata", isPlainObject)
      );
    case "presence":
      return (
        typeof own(f, "channel") === "string" &&
        isArrayOf(own(f, "joined"), (m) => hasPeerId(m) && optional(m, "metadata", isPlainObject)) &&
        isArrayOf(own(f, "left"), hasPeerId)
      );
    case "going_away":
      return isFiniteNumber(own(f, "retryAfterMs"));
    case "pong":
      return optional(f, "requestId", isString);
    default:
      return false;
  }
}

function isValidRequestId(value: unknown): value is string {
  return typeof value === "string" && utf8Length(value) <= Limits.maxRequestIdBytes;
}

function isPlainObject(value: unknown): value is Fields {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Reads an own property only, so nothing inherited (or polluted) on Object.prototype leaks in. */
function own(fields: Fields, key: string): unknown {
  return Object.hasOwn(fields, key) ? fields[key] : undefined;
}

function optional(fields: Fields, key: string, check: (value: unknown) => boolean): boolean {
  return !Object.hasOwn(fields, key) || check(fields[key]);
}

function isString(value: unknown): value is string {
  return typeof value === "string";
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

function isArrayOf(value: unknown, check: (item: Fields) => boolean): boolean {
  return Array.isArray(value) && value.every((item) => isPlainObject(item) && check(item));
}

function hasPeerId(item: Fields): boolean {
  return typeof own(item, "peerId") === "string";
}

/**
 * Whether JSON text opens more than `max` nested arrays/objects (brackets inside strings do not
 * count). Linear, and skipped for texts too short to nest that deep, so ordinary frames pay nothing.
 */
export function nestsDeeperThan(text: string, max: number): boolean {
  if (typeof text !== "string" || text.length <= 2 * max) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}
