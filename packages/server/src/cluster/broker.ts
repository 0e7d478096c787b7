/**
 * The `Broker` seam: pub/sub between the nodes of a cluster, bytes in, bytes out
 * (cluster-seams.md §2). Local fan-out stays in the hub; the broker only moves envelopes from one
 * node to the other nodes that want them. Implementations: memory-broker.ts (single node, and
 * in-process clusters in tests) and redis-broker.ts. Both pass broker-conformance.ts.
 */
import type { Envelope, InterestKey, NodeId } from "./types.js";

/** Where a broker failure happened, for {@link BrokerErrorHandler}. */
export type BrokerFailure = "publish" | "interest" | "connection" | "decode";

/**
 * Told about every failure a broker swallows (count it on the meter, log it at most rarely). The
 * broker never throws them at its caller: the hot path must not fail because another node is away.
 */
export type BrokerErrorHandler = (error: Error, where: BrokerFailure) => void;

/** Receives every envelope another node sent to this one; `from` is the sending node. */
export type EnvelopeHandler = (envelope: Envelope, from: NodeId) => void;

/**
 * Pub/sub between nodes. The contract, which every implementation passes (broker-conformance.ts):
 *
 * - **Others only.** A node never receives its own envelopes (socket.io's `uid` and centrifuge's
 *   `Uid` filters): the publishing node has already delivered locally.
 * - **Node-level interest.** `message` and `presence` envelopes reach exactly the other nodes with
 *   interest in (`appId`, `channel`): a {@link InterestKey} `{channel}` equal to it, or any
 *   `{pattern}` / `{app: true}` key of that app (pattern keys are matched coarsely, as the whole
 *   app: the receiving hub matches the pattern itself). A node receives an envelope at most once
 *   however many of its keys match.
 * - **Idempotent interest.** `setInterest(app, key, true)` twice is one subscription, and one
 *   `setInterest(app, key, false)` ends it: the hub calls it on the first and the last local
 *   subscriber of a key (centrifuge's `addSub` `first`), so the broker keeps no reference counts of
 *   local subscribers. A message crosses the backend once per publish, never once per subscriber.
 * - **Direct and control.** `sendTo` reaches exactly the named nodes (self excluded), with no
 *   interest needed. A `control` envelope reaches every other node, interest or not.
 * - **Order.** Envelopes from one node arrive at each receiving node in the order that node sent
 *   them, across channels and kinds (one ordered stream per pair of nodes).
 * - **Bytes.** Frames and metadata arrive byte-identical. Received Buffers are read-only.
 * - **At most once, fire-and-forget.** `publish` and `sendTo` return at once and never throw;
 *   what cannot be sent (backend down) is dropped and reported to the `onError` handler the
 *   implementation was created with. Interest changes made while the backend is away are kept
 *   and the whole interest is re-established when it returns.
 * - **Lifecycle.** `start` before anything is received; `close` stops delivery at once, releases
 *   every connection and is idempotent. `publish` / `sendTo` / `setInterest` after `close` do
 *   nothing.
 */
export interface Broker {
  /** This node's id: what the others see as `from`. */
  readonly nodeId: NodeId;
  /**
   * Connects and starts delivering envelopes of *other* nodes to `onEnvelope`. Resolves once this
   * node receives its `sendTo` and `control` envelopes; rejects if the backend cannot be reached
   * (call `close` then). Interest set before `start` takes effect with it. Call once.
   */
  start(onEnvelope: EnvelopeHandler): Promise<void>;
  /**
   * Sends `envelope` to every other node that wants it: by interest for `message` and `presence`,
   * to all nodes for `control` (and for `direct`, as a broadcast when the peer's nodes are unknown).
   */
  publish(envelope: Envelope): void;
  /** Sends `envelope` to the nodes `nodes` only (direct messages, replies); self is skipped. */
  sendTo(nodes: readonly NodeId[], envelope: Envelope): void;
  /**
   * Turns this node's interest in `key` of `appId` on or off (idempotent, see the contract). The
   * promise resolves once the change is effective in the backend: an envelope another node
   * publishes after that is delivered (on) or not (off). It never rejects, and callers may ignore
   * it; while the backend is away it resolves when the backend returns.
   */
  setInterest(appId: string, key: InterestKey, on: boolean): Promise<void>;
  /** Stops delivery, releases every connection. Idempotent. */
  close(): Promise<void>;
}
