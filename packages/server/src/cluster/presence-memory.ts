/**
 * The in-process {@link PresenceRegistry}: several registries sharing one {@link MemoryPresenceState}
 * are the nodes of an in-process cluster (how the conformance suite tests multi-node semantics
 * without Redis). Single-node mode runs one registry on a state of its own; every call is then a
 * few Map operations, and since a node that never heartbeats is never expired, it may skip the
 * heartbeat / sweep loop altogether. Every method is synchronous inside, hence atomic.
 */
import { randomUUID } from "node:crypto";
import type { JsonObject, PresenceMember } from "@switchboard/protocol";
import {
  checkSocket,
  DEFAULT_PRESENCE_TTL_MS,
  type LocalPresenceState,
  type PresenceArrival,
  type PresenceKey,
  type PresenceRegistry,
} from "./presence-registry.js";
import type { NodeId, SocketRef } from "./types.js";

/** One present peer of one channel: the metadata of its first socket, and all its sockets. */
interface Entry {
  readonly metadata: JsonObject | undefined;
  /** `node\0id` of every socket of the peer in the channel, on any node. */
  readonly sockets: Set<string>;
}

/** What the registry knows of one socket (on its node). */
interface SocketState {
  readonly appId: string;
  readonly peerId: string;
  open: boolean;
  readonly channels: Set<string>;
}

/** What the registries of one in-process cluster share. Create one per cluster. */
export interface MemoryPresenceState {
  /** The cluster's clock (wall-clock ms), shared so tests can move time for every node at once. */
  readonly now: () => number;
  /** Live (or expired, not yet swept) nodes: id → the ms at which it expires. */
  readonly nodes: Map<NodeId, number>;
  /** `app\0channel` → peerId → entry. */
  readonly channels: Map<string, Map<string, Entry>>;
  /** `app\0peer` → node → open socket ids (for `nodesOf`). */
  readonly peers: Map<string, Map<NodeId, Set<number>>>;
  /** node → socket id → state: the index that `close`, `sweep` and `resync` walk. */
  readonly sockets: Map<NodeId, Map<number, SocketState>>;
}

/** A new, empty state; `now` defaults to `Date.now`. */
export function createMemoryPresenceState(options: { now?: () => number } = {}): MemoryPresenceState {
  return {
    now: options.now ?? Date.now,
    nodes: new Map(),
    channels: new Map(),
    peers: new Map(),
    sockets: new Map(),
  };
}

/** Empties `state` (what a backend losing its data does; for tests). */
export function clearMemoryPresenceState(state: MemoryPresenceState): void {
  state.nodes.clear();
  state.channels.clear();
  state.peers.clear();
  state.sockets.clear();
}

/** Options of {@link createMemoryPresence}. */
export interface MemoryPresenceOptions {
  /** The cluster to join. Default: a state of its own (single-node mode). */
  state?: MemoryPresenceState;
  /** Default: a random UUID. */
  nodeId?: NodeId;
  /** How long the node stays alive after a heartbeat. Default {@link DEFAULT_PRESENCE_TTL_MS}. */
  ttlMs?: number;
}

const key = (a: string, b: string): string => `${a}\0${b}`;
const ref = (node: NodeId, id: number): string => `${node}\0${id}`;
const member = (peerId: string, metadata: JsonObject | undefined): PresenceMember =>
  metadata === undefined ? { peerId } : { peerId, metadata };

/** A registry on `options.state` (see the module comment). */
export function createMemoryPresence(options: MemoryPresenceOptions = {}): PresenceRegistry {
  const state = options.state ?? createMemoryPresenceState();
  const nodeId = options.nodeId ?? randomUUID();
  const ttlMs = options.ttlMs ?? DEFAULT_PRESENCE_TTL_MS;
  let registered = false;
  let disposed = false;

  function live(): void {
    if (disposed) throw new Error("presence registry disposed");
  }

  function socketState(node: NodeId, id: number, appId: string, peerId: string): SocketState {
    let byId = state.sockets.get(node);
    if (byId === undefined) {
      byId = new Map();
      state.sockets.set(node, byId);
    }
    let socket = byId.get(id);
    if (socket === undefined) {
      socket = { appId, peerId, open: false, channels: new Set() };
      byId.set(id, socket);
    }
    return socket;
  }

  function present(appId: string, channel: string, peerId: string): Entry | undefined {
    return state.channels.get(key(appId, channel))?.get(peerId);
  }

  function joinOne(
    node: NodeId,
    id: number,
    channel: string,
    s: SocketState,
    metadata: JsonObject | undefined,
  ) {
    if (s.channels.has(channel)) return false;
    s.channels.add(channel);
    const channelKey = key(s.appId, channel);
    let entries = state.channels.get(channelKey);
    if (entries === undefined) {
      entries = new Map();
      state.channels.set(channelKey, entries);
    }
    const entry = entries.get(s.peerId);
    if (entry !== undefined) {
      entry.sockets.add(ref(node, id));
      return false;
    }
    entries.set(s.peerId, { metadata, sockets: new Set([ref(node, id)]) });
    return true;
  }

  /** Removes one socket from one channel; true when it was the peer's last one there. */
  function leaveOne(node: NodeId, id: number, channel: string, s: SocketState): boolean {
    if (!s.channels.delete(channel)) return false;
    const channelKey = key(s.appId, channel);
    const entries = state.channels.get(channelKey);
    const entry = entries?.get(s.peerId);
    if (entries === undefined || entry === undefined) return false;
    entry.sockets.delete(ref(node, id));
    if (entry.sockets.size > 0) return false;
    entries.delete(s.peerId);
    if (entries.size === 0) state.channels.delete(channelKey);
    return true;
  }

  function openOne(node: NodeId, id: number, s: SocketState): void {
    if (s.open) return;
    s.open = true;
    const peerKey = key(s.appId, s.peerId);
    let nodes = state.peers.get(peerKey);
    if (nodes === undefined) {
      nodes = new Map();
      state.peers.set(peerKey, nodes);
    }
    let ids = nodes.get(node);
    if (ids === undefined) {
      ids = new Set();
      nodes.set(node, ids);
    }
    ids.add(id);
  }

  /** Forgets one socket entirely; returns the channels where it was the peer's last socket. */
  function closeOne(node: NodeId, id: number, s: SocketState): string[] {
    const last = [...s.channels].filter((channel) => leaveOne(node, id, channel, s));
    if (s.open) {
      const peerKey = key(s.appId, s.peerId);
      const nodes = state.peers.get(peerKey);
      const ids = nodes?.get(node);
      ids?.delete(id);
      if (ids?.size === 0) nodes?.delete(node);
      if (nodes?.size === 0) state.peers.delete(peerKey);
    }
    state.sockets.get(node)?.delete(id);
    return last;
  }

  /** Forgets every entry of `node`; returns the peers that thereby left. */
  function removeNode(node: NodeId): PresenceKey[] {
    const left: PresenceKey[] = [];
    for (const [id, s] of state.sockets.get(node) ?? []) {
      for (const channel of closeOne(node, id, s)) left.push({ appId: s.appId, channel, peerId: s.peerId });
    }
    state.sockets.delete(node);
    state.nodes.delete(node);
    return left;
  }

  return {
    nodeId,

    async open(appId, peerId, socket: SocketRef) {
      live();
      checkSocket(nodeId, socket);
      openOne(nodeId, socket.id, socketState(nodeId, socket.id, appId, peerId));
    },

    async close(_appId, _peerId, socket) {
      live();
      checkSocket(nodeId, socket);
      const s = state.sockets.get(nodeId)?.get(socket.id);
      return s === undefined ? [] : closeOne(nodeId, socket.id, s);
    },

    async join(appId, channel, peerId, socket, metadata) {
      live();
      checkSocket(nodeId, socket);
      const s = socketState(nodeId, socket.id, appId, peerId);
      return { first: joinOne(nodeId, socket.id, channel, s, metadata) };
    },

    async leave(_appId, channel, _peerId, socket) {
      live();
      checkSocket(nodeId, socket);
      const s = state.sockets.get(nodeId)?.get(socket.id);
      return { last: s !== undefined && leaveOne(nodeId, socket.id, channel, s) };
    },

    async members(appId, channel) {
      live();
      const entries = state.channels.get(key(appId, channel));
      return [...(entries ?? [])].map(([peerId, entry]) => member(peerId, entry.metadata));
    },

    async nodesOf(appId, peerId) {
      live();
      return [...(state.peers.get(key(appId, peerId))?.keys() ?? [])];
    },

    async heartbeat() {
      live();
      const lost = registered && !state.nodes.has(nodeId);
      registered = true;
      state.nodes.set(nodeId, state.now() + ttlMs);
      return { resyncNeeded: lost };
    },

    async sweep() {
      live();
      const now = state.now();
      const dead = [...state.nodes].filter(([, expiresAt]) => expiresAt <= now).map(([node]) => node);
      return dead.flatMap(removeNode);
    },

    async resync(local: LocalPresenceState) {
      live();
      for (const item of [...local.connections, ...local.joins]) checkSocket(nodeId, item.socket);
      // Every triple this resync can change: this node's current entries and the new ones.
      const affected = new Map<string, PresenceKey & { before: boolean }>();
      const note = (appId: string, channel: string, peerId: string) => {
        const k = `${key(appId, channel)}\0${peerId}`;
        if (!affected.has(k)) {
          affected.set(k, { appId, channel, peerId, before: present(appId, channel, peerId) !== undefined });
        }
      };
      for (const s of state.sockets.get(nodeId)?.values() ?? []) {
        for (const channel of s.channels) note(s.appId, channel, s.peerId);
      }
      for (const j of local.joins) note(j.appId, j.channel, j.peerId);
      removeNode(nodeId);
      for (const c of local.connections) {
        openOne(nodeId, c.socket.id, socketState(nodeId, c.socket.id, c.appId, c.peerId));
      }
      for (const j of local.joins) {
        joinOne(
          nodeId,
          j.socket.id,
          j.channel,
          socketState(nodeId, j.socket.id, j.appId, j.peerId),
          j.metadata,
        );
      }
      registered = true;
      state.nodes.set(nodeId, state.now() + ttlMs);
      const joined: PresenceArrival[] = [];
      const left: PresenceKey[] = [];
      for (const { before, ...triple } of affected.values()) {
        const entry = present(triple.appId, triple.channel, triple.peerId);
        if (before && entry === undefined) left.push(triple);
        if (!before && entry !== undefined) joined.push({ ...triple, metadata: entry.metadata });
      }
      return { joined, left };
    },

    async dispose() {
      disposed = true;
    },
  } satisfies PresenceRegistry;
}
