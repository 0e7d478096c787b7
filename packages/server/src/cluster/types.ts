/**
 * The vocabulary of cluster mode (cluster-seams.md §2): node and socket identities, what crosses
 * nodes ({@link Envelope}), node control ({@link ControlOp}) and node-level interest
 * ({@link InterestKey}). A leaf: imports nothing, so the broker, the presence registry and the router
 * can all depend on it without a cycle.
 */

/** A node's id, unique in the cluster for the life of the process (a restarted node takes a new one). */
export type NodeId = string;

/** One socket anywhere in the cluster. `id` is unique only per node, hence the pair. */
export interface SocketRef {
  readonly node: NodeId;
  readonly id: number;
}

/**
 * What one node tells the others in its `node-info` heartbeat: liveness and the figures the
 * dashboard and the cluster-wide 4010 cap sum over nodes (centrifuge publishes every 3 s and
 * considers an entry current for 7 s).
 */
export interface NodeInfo {
  /** Wall-clock milliseconds at which the heartbeat was sent. */
  readonly sentAtMs: number;
  /** Open sockets on the node, all apps together. */
  readonly connections: number;
  /** Open sockets per app id (apps with none are left out). */
  readonly connectionsByApp: Readonly<Record<string, number>>;
  /** True while the node drains: it accepts no new sockets. */
  readonly draining: boolean;
  /** The server version the node runs. */
  readonly version: string;
}

/**
 * Node control: every op reaches every node of the cluster (not only the nodes with interest in the
 * app), because any node may hold an affected socket and interest says nothing about connections.
 *
 * `revoke` and `suspend` exist because issue 11 wants key revocation and app suspension effective on
 * every node within 2 s. The store's change feed already converges every node, but only as fast as
 * each node polls it (and a PostgreSQL store has no feed yet), so the node that made the change also
 * pushes it. An op is a hint, not the truth: a receiver re-reads the key / app from the store and
 * acts on what it finds, so a lost or late op delays enforcement only until the next poll and can
 * never undo a later change (a suspension lifted meanwhile stays lifted).
 */
export type ControlOp =
  /** Close every socket of `peerId` in `appId` with 4020 (REST and admin kick). */
  | { readonly type: "kick"; readonly appId: string; readonly peerId: string }
  /** Key `keyId` of `appId` was revoked or deleted: close its sockets, refuse its tokens. */
  | { readonly type: "revoke"; readonly appId: string; readonly keyId: string }
  /** App `appId` was suspended (or changed): reload it and close its sockets if suspended. */
  | { readonly type: "suspend"; readonly appId: string }
  /** Heartbeat: liveness and per-node counts (see {@link NodeInfo}). */
  | { readonly type: "node-info"; readonly info: NodeInfo };

/**
 * What crosses nodes. Every `frame` is a complete WireFrame: its bytes are valid on every socket of
 * every node (unmasked, no deflate), so a receiving node writes them as-is, without parsing or
 * encoding again. Receivers must treat every Buffer as read-only: an implementation may hand the
 * same bytes to several nodes (memory) or slice them out of a reply buffer (Redis).
 */
export type Envelope =
  /** A channel message, routed to nodes with interest in (`appId`, `channel`). */
  | {
      readonly kind: "message";
      readonly appId: string;
      readonly channel: string;
      /** The plain `message` WireFrame. */
      readonly frame: Buffer;
      /** The publisher's metadata as UTF-8 JSON; a node builds the stamped frame from it lazily. */
      readonly fromMetadata?: Buffer;
    }
  /** A direct message to peer `to`, sent with `sendTo` to the nodes holding that peer. */
  | { readonly kind: "direct"; readonly appId: string; readonly to: string; readonly frame: Buffer }
  /** A presence delta on `channel`; `about` is never sent to that peer's own sockets. */
  | {
      readonly kind: "presence";
      readonly appId: string;
      readonly channel: string;
      readonly about: string;
      readonly frame: Buffer;
    }
  /**
   * Node control, to every node. Unlike the other kinds it has no envelope-level `appId`: a
   * heartbeat concerns no app, and the ops that do name theirs.
   */
  | { readonly kind: "control"; readonly op: ControlOp };

/**
 * What a node can want to receive for one app: one concrete channel, every channel a pattern may
 * match, or every channel of the app. Messages and presence deltas are routed by it; `direct` and
 * `control` envelopes are not (they go to named nodes and to all nodes).
 */
export type InterestKey =
  | { readonly channel: string }
  | { readonly pattern: string }
  | { readonly app: true };
