/**
 * Public data types of the SDK. JSON and presence shapes are re-declared from the protocol package
 * so the published type declarations stand alone.
 */

import type { TokenProviderError } from "./errors.js";
import type { ClientState } from "./state.js";

/** Any JSON value (what `data` carries). */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A JSON object (metadata, peerMetadata). */
export type JsonObject = { [key: string]: Json };

/** One peer in a `presence` frame's `joined` list. `metadata` is its peerMetadata, when it has any. */
export interface PresenceMember {
  peerId: string;
  metadata?: JsonObject;
}

/** A validated ICE server entry (protocol.md §12), ready for `RTCPeerConnection`. */
export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

/**
 * The part of a WebSocket the SDK uses, and nothing more: the browser `WebSocket` and `ws`'s
 * `WebSocket` both satisfy it. The SDK assigns the four `on…` handlers (it never calls
 * `addEventListener`), sends text frames only, and reads `readyState` as a number
 * (0 connecting, 1 open, 2 closing, 3 closed).
 */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

/** Options of `subscribe()`. */
export interface SubscribeOptions {
  /** Ask the server to stamp each `message` with the sender's peerMetadata (`fromMetadata`). */
  includeSenderMetadata?: boolean;
}

/** Context of `state-change`. `reason` is a short human-readable text of ours. */
export interface StateChangeEvent {
  from: ClientState;
  to: ClientState;
  reason: string;
}

/** Context of `connected`: the server's `welcome`. */
export interface ConnectedEvent {
  peerId: string;
  /** Server clock, unix seconds. */
  serverTime: number;
  /** Token expiry (JWT `exp`, unix seconds); `null` for publishable keys. */
  expiresAt: number | null;
  /** `false` for the first `welcome` of this client, `true` after every reconnect. */
  isReconnect: boolean;
  /** Largest frame the server accepts, UTF-8 bytes; outgoing frames are checked against it. */
  maxMessageSize: number;
  /** Validated `welcome.metadata.iceServers` (`[]` when none). */
  iceServers: IceServer[];
}

/** Context of `disconnected`: a connection that had received `welcome` ended. */
export interface DisconnectedEvent {
  /** Close code (1006 when the socket died without one or the inactivity watchdog fired). */
  code: number;
  /** Close reason as sent by the server (untrusted), or a short text of ours. */
  reason: string;
  /** Whether the client will try to reconnect. */
  willReconnect: boolean;
}

/** Context of `message`: a publish on a subscribed channel. */
export interface MessageEvent {
  channel: string;
  from: string;
  data: Json;
  /** The sender's peerMetadata, when subscribed with `includeSenderMetadata` and it has some. */
  fromMetadata?: JsonObject;
}

/** Context of `direct`: a `send` addressed to this peer. */
export interface DirectEvent {
  from: string;
  data: Json;
  fromMetadata?: JsonObject;
}

/** Context of `presence`: the snapshot after `subscribe`, then joins and leaves. */
export interface PresenceEvent {
  channel: string;
  joined: PresenceMember[];
  left: { peerId: string }[];
}

/** Context of `going-away`: the server is shutting down and asks to come back after this delay. */
export interface GoingAwayEvent {
  retryAfterMs: number;
}

/**
 * Context of `server-error`: an `error` frame not matched to a pending request (no `requestId`, or
 * one whose request already timed out), or the failure of an automatic resubscribe.
 */
export interface ServerErrorEvent {
  code: string;
  /** The server's human text (untrusted, not stable). */
  message: string;
  requestId?: string;
}

/** Context of `token-provider-error`. */
export interface TokenProviderErrorEvent {
  error: TokenProviderError;
  /** 1-based connection attempt (since the last `welcome`, or since `connect()`). */
  attempt: number;
}

/** Context of `error`: the client moved to `closed` on its own (not via `close()`). */
export interface ErrorEvent {
  error: Error;
}

/** Every event of `SignallingClient` and its context type. */
export interface SignallingClientEvents {
  "state-change": StateChangeEvent;
  connected: ConnectedEvent;
  disconnected: DisconnectedEvent;
  message: MessageEvent;
  direct: DirectEvent;
  presence: PresenceEvent;
  "going-away": GoingAwayEvent;
  "server-error": ServerErrorEvent;
  "token-provider-error": TokenProviderErrorEvent;
  error: ErrorEvent;
}
