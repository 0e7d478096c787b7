/**
 * What one app's hub tells the cluster and asks of it (cluster mode only; a single node's hub has
 * no link and runs exactly as before). One link per app and node, made by cluster-node.ts. Every
 * method returns at once: the cluster side is asynchronous and never blocks the hub, and failures
 * (Redis away) are absorbed there and repaired by the node's resync.
 */
import type { JsonObject, PresenceMember } from "@switchboard/protocol";
import type { Member } from "../delivery/member.js";
import type { WireFrame } from "../encode.js";
import type { InterestKey, NodeId } from "./types.js";

export interface ClusterLink {
  /** This node's id. */
  readonly nodeId: NodeId;
  /** The first local subscriber of a concrete channel or pattern arrived (`on`), or the last left. */
  interest(key: InterestKey, on: boolean): void;
  /** A publish was delivered locally; the other nodes with interest get the same bytes. */
  published(channel: string, plain: WireFrame, fromMetadata: JsonObject | undefined): void;
  /** A socket of this node opened / closed (closing also leaves every channel it was in). */
  connected(member: Member): void;
  disconnected(member: Member): void;
  /** A presence-enabled socket entered / left a concrete channel (not called on disconnect). */
  joined(member: Member, channel: string): void;
  left(member: Member, channel: string): void;
  /**
   * The channel's members cluster-wide, read once this node's interest in the channel is effective
   * (so no change is missed between the read and the deltas that follow it). Rejects when the
   * backend is away.
   */
  loadView(channel: string): Promise<PresenceMember[]>;
  /** The other nodes holding a socket of `peerId` (never this one). Rejects when the backend is away. */
  remoteNodesOf(peerId: string): Promise<readonly NodeId[]>;
  /** Sends a `direct` frame to the sockets of `to` on `nodes`. */
  sendDirect(nodes: readonly NodeId[], to: string, frame: WireFrame): void;
  /** Asks every other node to close the sockets of `peerId` with 4020. */
  kick(peerId: string): void;
  /** Sockets of this app on the other live nodes, as their last heartbeats said. */
  remoteConnections(): number;
}
