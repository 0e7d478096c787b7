import type { JsonObject } from "@switchboard/protocol";
import type { Transport } from "../transport.js";
import type { Subscriptions } from "./subscriptions.js";

/** The part of a member's identity that fan-out reads. */
export interface MemberIdentity {
  readonly peerMetadata: JsonObject | undefined;
}

/**
 * What fan-out (the hub, presence) needs of a socket, and nothing else: the hub and the app runtime
 * hold members, so they do not depend on `Connection` (which points back at its app).
 */
export interface Member {
  /** Unique among this node's sockets (the cluster tells sockets apart by node and id). */
  readonly id: number;
  readonly peerId: string;
  readonly identity: MemberIdentity;
  readonly transport: Transport;
  /** Holds the `presence` action: sees presence and is announced. */
  readonly presenceEnabled: boolean;
  readonly subscriptions: Subscriptions;
}

/** Who a message is from: a connection, or the server on behalf of a REST caller. */
export interface Sender {
  peerId: string;
  peerMetadata: JsonObject | undefined;
  /** The socket that published, which does not get its own message back. */
  connection?: Member;
}
