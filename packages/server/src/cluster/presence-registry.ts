/**
 * The `PresenceRegistry` seam: cluster-wide presence state (cluster-seams.md §2). Async, and never
 * on the publish path: the hub asks it on subscribe / unsubscribe / disconnect and for snapshots.
 * Implementations: presence-memory.ts (single node, and in-process clusters in tests) and
 * presence-redis.ts. Both pass presence-conformance.ts.
 */
import type { JsonObject, PresenceMember } from "@switchboard/protocol";
import type { NodeId, SocketRef } from "./types.js";

/** One (app, channel, peer) triple: what a `joined` / `left` is about. */
export interface PresenceKey {
  readonly appId: string;
  readonly channel: string;
  readonly peerId: string;
}

/** A peer that became present cluster-wide, with the metadata the registry now holds for it. */
export interface PresenceArrival extends PresenceKey {
  readonly metadata: JsonObject | undefined;
}

/** One open socket of this node (for {@link LocalPresenceState}). */
export interface LocalConnection {
  readonly appId: string;
  readonly peerId: string;
  readonly socket: SocketRef;
}

/** One presence-enabled socket of this node in one concrete channel. */
export interface LocalJoin extends PresenceKey {
  readonly socket: SocketRef;
  readonly metadata: JsonObject | undefined;
}

/**
 * The whole presence state of one node, as its hub knows it (the hub is the truth about its own
 * sockets; the registry is a shared copy). Order matters only for metadata: when a peer is absent
 * elsewhere, its first join here gives the metadata.
 */
export interface LocalPresenceState {
  readonly connections: readonly LocalConnection[];
  readonly joins: readonly LocalJoin[];
}

/** What {@link PresenceRegistry.resync} changed cluster-wide: announce these to the cluster. */
export interface ResyncResult {
  /** Peers that were absent cluster-wide before the resync and are present now. */
  readonly joined: readonly PresenceArrival[];
  /** Peers that were present cluster-wide (through this node's stale entries only) and are gone. */
  readonly left: readonly PresenceKey[];
}

/** What a heartbeat found. */
export interface HeartbeatResult {
  /**
   * True when the registry may no longer hold this node's state: its entries were swept (it missed
   * heartbeats for `ttlMs`, e.g. a partition), the backend lost its data (Redis restarted), or a
   * write of this node was rejected since the last resync. The caller then calls
   * {@link PresenceRegistry.resync} with its whole local state. Liveness is refreshed either way.
   */
  readonly resyncNeeded: boolean;
}

/** Error codes of a registry; `backend_error` maps to the wire error of the same name (transient). */
export type PresenceErrorCode = "backend_error";

/** Every rejection of a registry is one of these; the backend's own error is its `cause`. */
export class PresenceError extends Error {
  override readonly name = "PresenceError";
  constructor(
    readonly code: PresenceErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * One node's handle on the cluster-wide presence state. Several handles (one per node) share one
 * backend. The contract, which every implementation passes (presence-conformance.ts):
 *
 * - **Per peerId, cluster-wide.** A channel holds at most one entry per peerId however many sockets
 *   the peer has there, on however many nodes. Its metadata is that of the socket that made it
 *   present (the first), kept until the peer's last socket leaves (protocol.md §5).
 * - **first / last are cluster-wide and race-free.** Of any interleaving of joins (leaves) from any
 *   nodes, exactly one `join` answers `first: true` for a peer that was absent, and exactly one
 *   `leave` / `close` / `sweep` / `resync` reports its departure. Repeating a join or leave of the same
 *   socket is a no-op answering `false`.
 * - **Sockets belong to their node.** Every `socket.node` passed in must be this handle's `nodeId`
 *   (else the call rejects with a `TypeError`); socket ids are unique per node only.
 * - **Expiry.** A node is alive for `ttlMs` after its last `heartbeat` (call it once before the
 *   first write, then every ≤ `ttlMs / 3`). The entries of a node that stops heartbeating are removed
 *   by the first `sweep` (from any node) after they expire, atomically: `sweep` returns each (app,
 *   channel, peer) that thereby became absent exactly once cluster-wide, even when several nodes sweep
 *   concurrently, so exactly one node announces `left` for a dead node's peers. A peer still present
 *   through another live node is not returned (it did not leave).
 * - **Resync.** `resync(state)` atomically replaces everything the registry holds for this node with
 *   `state` and refreshes its liveness: ghosts (entries the node no longer has) go, missing entries
 *   come back, and the result lists what that changed cluster-wide. Use it when `heartbeat` says so
 *   (after a backend outage or loss). Caveat for callers: after a backend *data loss* every node's
 *   view was wrong at once, so the subscribers' views are best reconciled by diffing `members()`
 *   against what was last announced, once every node has resynced (one heartbeat interval).
 * - **Failure.** Every method rejects with a {@link PresenceError} `backend_error` when the backend
 *   cannot answer (the caller answers `backend_error`); none throws synchronously or crashes the
 *   process. A rejected write marks the node for resync.
 * - **Isolation.** Apps never see each other's entries, even with equal channel names and peerIds.
 */
export interface PresenceRegistry {
  /** This node's id (the `node` of every socket it is given, and of what `nodesOf` returns). */
  readonly nodeId: NodeId;
  /** A socket of `peerId` opened (for `nodesOf`). Idempotent per socket. */
  open(appId: string, peerId: string, socket: SocketRef): Promise<void>;
  /**
   * The socket closed: it leaves every channel it joined and stops counting for `nodesOf`, in one
   * call however many channels. Resolves to the channels where it was the peer's last socket
   * cluster-wide (→ `left`).
   */
  close(appId: string, peerId: string, socket: SocketRef): Promise<readonly string[]>;
  /** One presence-enabled socket enters a concrete channel; `first` is cluster-wide. */
  join(
    appId: string,
    channel: string,
    peerId: string,
    socket: SocketRef,
    metadata: JsonObject | undefined,
  ): Promise<{ readonly first: boolean }>;
  /** The socket leaves the channel; `last` is cluster-wide. */
  leave(
    appId: string,
    channel: string,
    peerId: string,
    socket: SocketRef,
  ): Promise<{ readonly last: boolean }>;
  /** A snapshot: one entry per present peerId (metadata omitted when none), in no set order. */
  members(appId: string, channel: string): Promise<PresenceMember[]>;
  /** The nodes holding ≥ 1 open socket of the peer (direct routing and `peer_not_found`). */
  nodesOf(appId: string, peerId: string): Promise<readonly NodeId[]>;
  /** Keeps this node alive for `ttlMs` more; says whether a resync is needed. */
  heartbeat(): Promise<HeartbeatResult>;
  /** Removes every expired node's entries; returns the peers that thereby left (exactly once). */
  sweep(): Promise<readonly PresenceKey[]>;
  /** Replaces this node's entries with `state` atomically; see the contract. */
  resync(state: LocalPresenceState): Promise<ResyncResult>;
  /**
   * Releases the handle's connections and timers; idempotent. The node's entries stay and expire
   * (a node leaving on purpose first calls `resync({connections: [], joins: []})` and announces the
   * result). Other methods reject afterwards.
   */
  dispose(): Promise<void>;
}

/** Default time a node stays alive after a heartbeat (issue 11: `left` within 15 s of a kill -9). */
export const DEFAULT_PRESENCE_TTL_MS = 10_000;

/** Rejects with a TypeError unless `socket` belongs to `nodeId` (shared by implementations). */
export function checkSocket(nodeId: NodeId, socket: SocketRef): void {
  if (socket.node !== nodeId) {
    throw new TypeError(`socket of node ${socket.node} given to the presence registry of node ${nodeId}`);
  }
}
