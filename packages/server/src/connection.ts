import type { JsonObject } from "@switchboard/protocol";
import type { AppRuntime } from "./apps.js";
import type { Identity } from "./auth/authenticate.js";
import type { TokenBucket } from "./token-bucket.js";
import type { Transport } from "./transport.js";

/** One subscription of one connection; the hub holds the same object, so updates are shared. */
export interface Subscription {
  /** The channel string as the client sent it (a pattern when `wildcard`). */
  readonly channel: string;
  readonly wildcard: boolean;
  includeSenderMetadata: boolean;
}

/** An authenticated client socket. */
export interface Connection {
  readonly id: number;
  readonly app: AppRuntime;
  readonly peerId: string;
  readonly identity: Identity;
  readonly transport: Transport;
  /** Holds the `presence` action: sees presence and is announced. */
  readonly presenceEnabled: boolean;
  readonly subscriptions: Map<string, Subscription>;
  readonly bucket: TokenBucket;
  /** A WebSocket ping went out and no pong came back yet. */
  pongPending: boolean;
}

/** Who a message is from: a connection, or the server on behalf of a REST caller. */
export interface Sender {
  peerId: string;
  peerMetadata: JsonObject | undefined;
  /** The socket that published, which does not get its own message back. */
  connection?: Connection;
}
