/**
 * Error codes carried by `error` frames (protocol.md §7). The socket stays open after any of them.
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
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Every error code, for validation and exhaustive tests. */
export const ERROR_CODES: readonly ErrorCode[] = Object.values(ErrorCode);

/**
 * WebSocket close codes used by the server (protocol.md §6), with what SDKs should do about each.
 */
export const CloseCode = {
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
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** How a client should react to a close code (protocol.md §6). */
export type CloseClass = "terminal" | "fresh-token" | "slow-backoff" | "going-away" | "backoff";

/** Classifies a close code; unknown codes back off like 1006. */
export function classifyClose(code: number): CloseClass {
  switch (code) {
    case CloseCode.InvalidToken:
    case CloseCode.ChannelNotAuthorized:
    case CloseCode.AppSuspended:
    case CloseCode.Kicked:
      return "terminal";
    case CloseCode.TokenExpired:
      return "fresh-token";
    case CloseCode.OverConnectionLimit:
    case CloseCode.OverMessageRate:
      return "slow-backoff";
    case CloseCode.GoingAway:
      return "going-away";
    default:
      return "backoff";
  }
}

/**
 * Close reason texts. Credential failures all share one generic text so a client cannot learn which
 * check failed (protocol.md §2).
 */
export const CloseReason = {
  [CloseCode.InvalidToken]: "invalid token",
  [CloseCode.TokenExpired]: "token expired",
  [CloseCode.ChannelNotAuthorized]: "channel not authorized",
  [CloseCode.OverConnectionLimit]: "over connection limit",
  [CloseCode.OverMessageRate]: "over message rate",
  [CloseCode.AppSuspended]: "app suspended",
  [CloseCode.Kicked]: "kicked",
  [CloseCode.GoingAway]: "going away",
  [CloseCode.MessageTooBig]: "frame too big",
} as const;
