/**
 * Close and error codes of protocol v1, re-declared here so the SDK's type declarations stand alone
 * (they never import `@switchboard/protocol`). `codes.test.ts` checks that they equal the protocol
 * package's tables, so the two cannot drift apart.
 */

/**
 * WebSocket close codes the server uses (protocol.md §6). How the client reacts:
 * `InvalidToken`, `ChannelNotAuthorized`, `AppSuspended`, `Kicked` are terminal; `TokenExpired`
 * reconnects at once with a fresh token; `OverConnectionLimit`/`OverMessageRate` back off at
 * `maxDelayMs`; `GoingAway` waits the announced `retryAfterMs`; everything else backs off.
 */
export const WsCloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  Abnormal: 1006,
  PolicyViolation: 1008,
  MessageTooBig: 1009,
  InternalError: 1011,
  InvalidToken: 4001,
  TokenExpired: 4002,
  ChannelNotAuthorized: 4003,
  OverConnectionLimit: 4010,
  OverMessageRate: 4011,
  AppSuspended: 4012,
  Kicked: 4020,
} as const;
/** One of the {@link WsCloseCode} values. */
export type WsCloseCode = (typeof WsCloseCode)[keyof typeof WsCloseCode];

/**
 * Codes carried by server `error` frames (protocol.md §7), surfaced as `ServerRequestError.code` and
 * in `server-error` events. The socket stays open after any of them. A newer server may send codes
 * not listed here; they are passed through unchanged.
 */
export const ErrorCode = {
  MalformedMessage: "malformed_message",
  UnknownType: "unknown_type",
  InvalidChannel: "invalid_channel",
  InvalidPeerId: "invalid_peer_id",
  ChannelNotAuthorized: "channel_not_authorized",
  ChannelReserved: "channel_reserved",
  ChannelLimitExceeded: "channel_limit_exceeded",
  PeerNotFound: "peer_not_found",
  MissingData: "missing_data",
  ActionNotPermitted: "action_not_permitted",
  OverMessageQuota: "over_message_quota",
  BackendError: "backend_error",
  InternalError: "internal_error",
} as const;
/** One of the {@link ErrorCode} values. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const KNOWN_ERROR_CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode));

/** True for the error codes this SDK knows (so they are safe to put in an error message). */
export function isKnownErrorCode(code: string): code is ErrorCode {
  return KNOWN_ERROR_CODES.has(code);
}

/** Our own short names for close codes, for messages and logs (never the server's reason text). */
const CLOSE_NAMES: Readonly<Record<number, string>> = {
  1000: "normal closure",
  1001: "server going away",
  1005: "no status",
  1006: "abnormal closure",
  1008: "policy violation",
  1009: "frame too big",
  1011: "server error",
  4001: "invalid token",
  4002: "token expired",
  4003: "channel not authorized",
  4010: "over connection limit",
  4011: "over message rate",
  4012: "app suspended",
  4020: "kicked",
};

/** `"4001 invalid token"`, or just the number for codes without a name. */
export function describeCloseCode(code: number): string {
  const name = CLOSE_NAMES[code];
  return name === undefined ? String(code) : `${code} ${name}`;
}
