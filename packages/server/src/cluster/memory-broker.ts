/**
 * The in-process {@link Broker}: several brokers sharing one {@link MemoryBus} are the nodes of an
 * in-process cluster (socket.io's `EventEmitterAdapter`), which is how the conformance suite and the
 * multi-node tests run without Redis. Single-node mode runs one broker on its own bus: `publish`
 * then finds no other node and returns after one size check, so the hot path pays nothing.
 */
import { randomUUID } from "node:crypto";
import type { Broker, EnvelopeHandler } from "./broker.js";
import { createInterestSet, type InterestSet } from "./interest-set.js";
import type { Envelope, NodeId } from "./types.js";

/** One node on a {@link MemoryBus}: its interest and, once started, its handler. */
export interface MemoryNode {
  readonly interest: InterestSet;
  handler: EnvelopeHandler | undefined;
}

/** What the brokers of one in-process cluster share. Create one per cluster. */
export interface MemoryBus {
  /** The nodes on the bus, by id (internal: brokers add and remove themselves). */
  readonly nodes: Map<NodeId, MemoryNode>;
}

/** A new, empty bus. */
export function createMemoryBus(): MemoryBus {
  return { nodes: new Map() };
}

/** Options of {@link createMemoryBroker}. */
export interface MemoryBrokerOptions {
  /** The cluster to join. Default: a bus of its own (single-node mode). */
  bus?: MemoryBus;
  /** Default: a random UUID. Must be unused on `bus` (else `TypeError`). */
  nodeId?: NodeId;
}

function wanted(node: MemoryNode, envelope: Envelope): boolean {
  switch (envelope.kind) {
    case "message":
    case "presence":
      return node.interest.wants(envelope.appId, envelope.channel);
    default:
      return true;
  }
}

/**
 * A broker on `options.bus`. Delivery is asynchronous (one microtask per envelope and node, FIFO,
 * so per-publisher order holds) so that a publish never re-enters a hub mid-operation, as with Redis.
 * Envelopes are passed by reference: every receiver sees the publisher's very Buffers.
 */
export function createMemoryBroker(options: MemoryBrokerOptions = {}): Broker {
  const bus = options.bus ?? createMemoryBus();
  const nodeId = options.nodeId ?? randomUUID();
  if (bus.nodes.has(nodeId)) throw new TypeError(`memory broker: node id "${nodeId}" is already on the bus`);
  const self: MemoryNode = { interest: createInterestSet(), handler: undefined };
  bus.nodes.set(nodeId, self);
  let closed = false;

  const deliver = (node: MemoryNode, envelope: Envelope): void => {
    // Checked again on delivery: a node closed or uninterested meanwhile gets nothing.
    queueMicrotask(() => {
      if (node.handler !== undefined && wanted(node, envelope)) node.handler(envelope, nodeId);
    });
  };

  return {
    nodeId,
    async start(onEnvelope) {
      if (!closed) self.handler = onEnvelope;
    },
    publish(envelope) {
      if (closed || bus.nodes.size === 1) return;
      for (const [id, node] of bus.nodes) {
        if (id !== nodeId && node.handler !== undefined && wanted(node, envelope)) deliver(node, envelope);
      }
    },
    sendTo(nodes, envelope) {
      if (closed) return;
      for (const id of new Set(nodes)) {
        const node = id === nodeId ? undefined : bus.nodes.get(id);
        if (node?.handler !== undefined) deliver(node, envelope);
      }
    },
    async setInterest(appId, key, on) {
      if (!closed) self.interest.set(appId, key, on);
    },
    async close() {
      if (closed) return;
      closed = true;
      self.handler = undefined;
      bus.nodes.delete(nodeId);
    },
  } satisfies Broker;
}
