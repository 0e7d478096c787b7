/**
 * @switchboard/client: the Switchboard SDK for browsers and Node ≥ 20, with no runtime
 * dependencies. `SignallingClient` gives pub/sub and direct messages over one self-healing
 * WebSocket connection; `Peer` builds a WebRTC mesh over one room channel on top of it.
 */

export { ErrorCode, WsCloseCode } from "./codes.js";
export type { Listener } from "./emitter.js";
export {
  AckTimeoutError,
  DisconnectedError,
  OversizedError,
  SendError,
  ServerRequestError,
  SignallingConnectError,
  type SignallingConnectErrorCode,
  TokenProviderError,
} from "./errors.js";
export { validateIceServers } from "./ice-servers.js";
export {
  ConsoleLogger,
  type ConsoleLoggerOptions,
  type LogContext,
  type Logger,
  NoopLogger,
} from "./logger.js";
export * from "./mesh/index.js";
export type { ReconnectOptions, SignallingClientOptions } from "./options.js";
export { SignallingClient } from "./signalling-client.js";
export type { ClientState } from "./state.js";
export type {
  ConnectedEvent,
  DirectEvent,
  DisconnectedEvent,
  ErrorEvent,
  GoingAwayEvent,
  IceServer,
  Json,
  JsonObject,
  MessageEvent,
  PresenceEvent,
  PresenceMember,
  ServerErrorEvent,
  SignallingClientEvents,
  StateChangeEvent,
  SubscribeOptions,
  TokenProviderErrorEvent,
  WebSocketLike,
} from "./types.js";
