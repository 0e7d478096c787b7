/**
 * Error classes of the SDK. Each has a stable `code` and `name`, carries `cause` when it wraps
 * another error, and builds its `message` only from our own text: server-supplied strings (close
 * reasons, error-frame messages) are kept in properties, never interpolated, so a hostile or
 * buggy server cannot inject text into application logs or UI.
 */

import { describeCloseCode, isKnownErrorCode } from "./codes.js";

/** Why the client gave up connecting (see {@link SignallingConnectError}). */
export type SignallingConnectErrorCode =
  | "terminal_close"
  | "reconnect_disabled"
  | "attempts_exhausted"
  | "client_closed";

/**
 * The client stopped connecting on its own. `connect()` rejects with it when this happens before the
 * first `welcome`; it is also the `error` event's error whenever the client moves to `closed`
 * without `close()` being called.
 *
 * - `terminal_close`: the server closed with 4001, 4003, 4012 or 4020.
 * - `reconnect_disabled`: the connection failed or dropped and `reconnect` is `false`.
 * - `attempts_exhausted`: `reconnect.maxAttempts` reconnect attempts in a row failed.
 * - `client_closed`: `close()` was called before the first `welcome` (only `connect()` sees this).
 */
export class SignallingConnectError extends Error {
  override readonly name = "SignallingConnectError";
  readonly code: SignallingConnectErrorCode;
  /** Close code of the last socket, or `null` when no socket closed (e.g. `tokenProvider` failed). */
  readonly closeCode: number | null;
  /** Close reason text as sent by the server (untrusted; `""` when none). */
  readonly closeReason: string;

  constructor(
    code: SignallingConnectErrorCode,
    closeCode: number | null,
    closeReason: string,
    options?: { cause?: unknown },
  ) {
    super(connectMessage(code, closeCode), options);
    this.code = code;
    this.closeCode = closeCode;
    this.closeReason = closeReason;
  }
}

function connectMessage(code: SignallingConnectErrorCode, closeCode: number | null): string {
  const last = closeCode === null ? "" : ` (close ${describeCloseCode(closeCode)})`;
  switch (code) {
    case "terminal_close":
      return `server closed the connection for good${last}`;
    case "reconnect_disabled":
      return `connection failed and reconnect is disabled${last}`;
    case "attempts_exhausted":
      return `gave up after the maximum number of reconnect attempts${last}`;
    case "client_closed":
      return "close() was called before the connection was established";
  }
}

/**
 * The server answered a request with an `error` frame. `code` is the server's error code (one of
 * {@link ErrorCode}, or a newer code passed through); `serverMessage` is its human text (untrusted,
 * not stable).
 */
export class ServerRequestError extends Error {
  override readonly name = "ServerRequestError";
  readonly code: string;
  readonly requestId: string;
  readonly serverMessage: string;

  constructor(code: string, requestId: string, serverMessage: string) {
    // Only codes we know go into the message: an unknown code is still server-supplied text.
    super(`server rejected the request: ${isKnownErrorCode(code) ? code : "unrecognised error code"}`);
    this.code = code;
    this.requestId = requestId;
    this.serverMessage = serverMessage;
  }
}

/**
 * The connection dropped (or `close()` was called) before the request was answered. A request that
 * was already sent may or may not have been applied by the server.
 */
export class DisconnectedError extends Error {
  override readonly name = "DisconnectedError";
  readonly code = "disconnected";
  /** The request's id, when the request had been created. */
  readonly requestId: string | undefined;

  constructor(requestId?: string) {
    super("the connection closed before the request was answered");
    this.requestId = requestId;
  }
}

/** No `ack` or `error` arrived within `ackTimeoutMs` (waiting for a connection included). */
export class AckTimeoutError extends Error {
  override readonly name = "AckTimeoutError";
  readonly code = "ack_timeout";
  readonly requestId: string;
  readonly timeoutMs: number;

  constructor(requestId: string, timeoutMs: number) {
    super(`no answer to the request within ${timeoutMs} ms`);
    this.requestId = requestId;
    this.timeoutMs = timeoutMs;
  }
}

/** The encoded frame is larger than the server's `maxMessageSize`; nothing was sent. */
export class OversizedError extends Error {
  override readonly name = "OversizedError";
  readonly code = "oversized";
  /** UTF-8 bytes of the encoded frame. */
  readonly size: number;
  /** The limit in force (`maxMessageSize` from the last `welcome`, 65536 before one). */
  readonly cap: number;

  constructor(size: number, cap: number) {
    super(`frame of ${size} bytes exceeds the ${cap}-byte limit`);
    this.size = size;
    this.cap = cap;
  }
}

/** A request refused before sending: reserved channel prefix, or invalid arguments. */
export class SendError extends Error {
  override readonly name = "SendError";
  readonly code: "reserved_channel" | "invalid_args";

  constructor(code: "reserved_channel" | "invalid_args", message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/**
 * One `tokenProvider` call failed: it threw or rejected (`token_provider_failed`, original error as
 * `cause`), resolved to something other than a non-empty string (`token_provider_invalid`), or did
 * not settle within `tokenProviderTimeoutMs` (`token_provider_timeout`).
 */
export class TokenProviderError extends Error {
  override readonly name = "TokenProviderError";
  readonly code: "token_provider_failed" | "token_provider_invalid" | "token_provider_timeout";

  constructor(
    code: "token_provider_failed" | "token_provider_invalid" | "token_provider_timeout",
    options?: { cause?: unknown },
  ) {
    super(tokenProviderMessage(code), options);
    this.code = code;
  }
}

function tokenProviderMessage(code: TokenProviderError["code"]): string {
  switch (code) {
    case "token_provider_failed":
      return "tokenProvider threw or rejected";
    case "token_provider_invalid":
      return "tokenProvider did not return a non-empty string";
    case "token_provider_timeout":
      return "tokenProvider did not answer in time";
  }
}
