/**
 * One node's part in a cluster (cluster-seams.md §3): the glue between the hubs of this node's apps
 * and the two seams. It
 *
 * - forwards what a hub tells its {@link ClusterLink} — interest, publishes, direct sends, presence
 *   joins and leaves — to the broker and the presence registry;
 * - hands envelopes of other nodes to the right hub (`message`, `direct`, `presence`) or acts on
 *   them (`kick`, `node-info`);
 * - announces presence changes exactly once cluster-wide: the registry says which join was a
 *   peer's first and which leave its last, anywhere, and the node whose call it was announces it;
 * - keeps the node alive in the registry (heartbeat), sweeps dead nodes (their peers leave), and
 *   after a backend outage resynchronises this node's entries and reconciles every local
 *   presence view with the registry;
 * - publishes `node-info` heartbeats so every node knows the others' connection counts (the
 *   cluster-wide 4010 cap, `concurrentNow`, admin stats).
 *
 * Revocation and suspension need nothing here: every node shares the store, whose change feed
 * (LISTEN/NOTIFY on PostgreSQL, a 500 ms poll on SQLite) reaches every node.
 */
import { CloseCode, CloseReason, type JsonObject, type PresenceMember } from "@switchboard/protocol";
import type { AppRegistry } from "../apps.js";
import type { Member } from "../delivery/member.js";
import type { Logger } from "../logger.js";
import type { ClusterLink } from "./app-link.js";
import type { ClusterDeps, ClusterTimings } from "./cluster-deps.js";
import type { LocalPresenceState, PresenceKey } from "./presence-registry.js";
import type { ControlOp, Envelope, NodeId, NodeInfo } from "./types.js";

/** One node as the admin API lists it. */
export interface ClusterNodeSummary {
  readonly nodeId: NodeId;
  readonly self: boolean;
  readonly connections: number;
  readonly connectionsByApp: Readonly<Record<string, number>>;
  readonly draining: boolean;
  readonly version: string;
  /** Age of the figures in ms (0 for this node). */
  readonly ageMs: number;
}

/** See the module comment. Created by the server in cluster mode. */
export interface ClusterNode {
  readonly nodeId: NodeId;
  /** The link of one app's hub; made once per app when the app is loaded. */
  linkFor(appId: string): ClusterLink;
  /** Starts the broker, the heartbeats and the sweeps; `apps` is this node's registry. */
  start(apps: AppRegistry): Promise<void>;
  /** Turns on the drain handover (see {@link ClusterTimings.handoverMs}) and tells the others. */
  startDraining(): void;
  /** This node and every other live node, with their figures. */
  nodes(): ClusterNodeSummary[];
  /**
   * Leaves the cluster: waits for pending presence handovers, removes this node's entries
   * (announcing what left), tells the others it has no sockets, closes broker and registry.
   */
  close(): Promise<void>;
}

interface RemoteNode {
  info: NodeInfo;
  receivedAtMs: number;
}

/** The body of a `presence` envelope: the peer's metadata when it joined, `left` when it left. */
type PresenceBody = { readonly left: true } | { readonly metadata?: JsonObject };

function encodePresence(metadata: JsonObject | undefined | null): Buffer {
  const body: PresenceBody = metadata === null ? { left: true } : metadata === undefined ? {} : { metadata };
  return Buffer.from(JSON.stringify(body));
}

function decodePresence(bytes: Buffer): JsonObject | undefined | null {
  const body = JSON.parse(bytes.toString("utf8")) as PresenceBody;
  return "left" in body ? null : body.metadata;
}

const socketOf = (nodeId: NodeId, member: Member) => ({ node: nodeId, id: member.id });

/**
 * A node on `deps` (its broker and registry share one node id). `version` goes into `node-info`.
 */
export function createClusterNode(
  deps: ClusterDeps,
  options: { log: Logger; version: string; timings?: ClusterTimings },
): ClusterNode {
  const { broker, presence } = deps;
  const { log, version } = options;
  const nodeId = broker.nodeId;
  if (presence.nodeId !== nodeId)
    throw new TypeError("cluster: broker and presence registry have different node ids");
  const heartbeatMs = options.timings?.heartbeatMs ?? 1_000;
  const sweepMs = options.timings?.sweepMs ?? 2_000;
  const staleMs = options.timings?.nodeInfoStaleMs ?? 3_500;
  const handoverMs = options.timings?.handoverMs ?? 1_500;
  const interestWaitMs = options.timings?.interestWaitMs ?? 2_000;

  const remote = new Map<NodeId, RemoteNode>();
  // A connection's peerMetadata object lives as long as its identity: serialised once, not per publish.
  const serialisedMetadata = new WeakMap<JsonObject, Buffer>();
  const metadataBytes = (metadata: JsonObject): Buffer => {
    let bytes = serialisedMetadata.get(metadata);
    if (bytes === undefined) {
      bytes = Buffer.from(JSON.stringify(metadata));
      serialisedMetadata.set(metadata, bytes);
    }
    return bytes;
  };
  const pendingInterest = new Map<string, Promise<void>>();
  const handovers = new Set<Promise<void>>();
  const timers: NodeJS.Timeout[] = [];
  let apps: AppRegistry | undefined;
  let draining = false;
  let closed = false;
  let backendDown = false;
  let reconcileTimer: NodeJS.Timeout | undefined;

  const swallow = (what: string) => (err: unknown) => {
    log.debug({ err, what }, "cluster operation failed; the next resync repairs it");
  };

  /** Tells every node (this one directly) that `peerId` joined (`metadata`) or left (null) `channel`. */
  function announce(
    appId: string,
    channel: string,
    peerId: string,
    metadata: JsonObject | undefined | null,
  ): void {
    broker.publish({ kind: "presence", appId, channel, about: peerId, frame: encodePresence(metadata) });
    apps?.peek(appId)?.hub.applyPresence(channel, peerId, metadata);
  }

  function announceLeft(keys: readonly PresenceKey[]): void {
    for (const { appId, channel, peerId } of keys) announce(appId, channel, peerId, null);
  }

  function control(op: ControlOp): void {
    switch (op.type) {
      case "kick": {
        const sockets = apps?.peek(op.appId)?.hub.socketsOf(op.peerId);
        for (const socket of [...(sockets ?? [])])
          socket.transport.close(CloseCode.Kicked, CloseReason[CloseCode.Kicked]);
        return;
      }
      default:
        // revoke / suspend: the shared store's change feed already reaches this node.
        return;
    }
  }

  function receive(envelope: Envelope, from: NodeId): void {
    try {
      if (envelope.kind === "control") {
        if (envelope.op.type === "node-info")
          remote.set(from, { info: envelope.op.info, receivedAtMs: Date.now() });
        else control(envelope.op);
        return;
      }
      const hub = apps?.peek(envelope.appId)?.hub;
      if (!hub) return;
      switch (envelope.kind) {
        case "message":
          hub.deliverRemote(envelope.channel, { bytes: envelope.frame }, envelope.fromMetadata);
          return;
        case "direct":
          hub.deliverDirect(envelope.to, { bytes: envelope.frame });
          return;
        case "presence":
          hub.applyPresence(envelope.channel, envelope.about, decodePresence(envelope.frame));
          return;
      }
    } catch (err) {
      log.warn({ err, from }, "cluster envelope could not be handled");
    }
  }

  /** Everything this node's hubs hold, for a resync. */
  function localState(): LocalPresenceState {
    const connections: LocalPresenceState["connections"][number][] = [];
    const joins: LocalPresenceState["joins"][number][] = [];
    for (const app of apps?.all() ?? []) {
      for (const member of app.connections) {
        const socket = socketOf(nodeId, member);
        connections.push({ appId: app.id, peerId: member.peerId, socket });
        if (!member.presenceEnabled) continue;
        for (const sub of member.subscriptions.values()) {
          if (sub.wildcard) continue;
          joins.push({
            appId: app.id,
            channel: sub.channel,
            peerId: member.peerId,
            socket,
            metadata: member.identity.peerMetadata,
          });
        }
      }
    }
    return { connections, joins };
  }

  function scheduleReconcile(): void {
    if (reconcileTimer !== undefined || closed) return;
    // One heartbeat and a half: by then every live node has resynced its own entries.
    reconcileTimer = setTimeout(() => {
      reconcileTimer = undefined;
      for (const app of apps?.all() ?? []) app.hub.reconcilePresence().catch(swallow("reconcile"));
    }, heartbeatMs * 1.5);
    reconcileTimer.unref();
  }

  let beating = false;
  async function heartbeat(): Promise<void> {
    if (beating || closed) return;
    beating = true;
    try {
      const { resyncNeeded } = await presence.heartbeat();
      const recovered = backendDown;
      backendDown = false;
      if (resyncNeeded) {
        const result = await presence.resync(localState());
        for (const { appId, channel, peerId, metadata } of result.joined)
          announce(appId, channel, peerId, metadata);
        announceLeft(result.left);
      }
      if (recovered || resyncNeeded) scheduleReconcile();
    } catch (err) {
      if (!backendDown) log.warn({ err }, "cluster backend unreachable; serving local traffic only");
      backendDown = true;
    } finally {
      beating = false;
    }
    publishNodeInfo();
  }

  function localInfo(): NodeInfo {
    const connectionsByApp: Record<string, number> = {};
    let connections = 0;
    for (const app of apps?.all() ?? []) {
      if (app.connections.size === 0) continue;
      connectionsByApp[app.id] = app.connections.size;
      connections += app.connections.size;
    }
    return { sentAtMs: Date.now(), connections, connectionsByApp, draining, version };
  }

  function publishNodeInfo(): void {
    if (!closed) broker.publish({ kind: "control", op: { type: "node-info", info: localInfo() } });
  }

  function live(): Array<[NodeId, RemoteNode]> {
    const now = Date.now();
    for (const [id, node] of remote) if (now - node.receivedAtMs > staleMs) remote.delete(id);
    return [...remote];
  }

  function every(ms: number, run: () => void): void {
    const timer = setInterval(run, ms);
    timer.unref();
    timers.push(timer);
  }

  function linkFor(appId: string): ClusterLink {
    return {
      nodeId,
      interest(key, on) {
        const effective = broker.setInterest(appId, key, on);
        if (!("channel" in key)) return;
        if (!on) {
          pendingInterest.delete(`${appId}\0${key.channel}`);
          return;
        }
        const id = `${appId}\0${key.channel}`;
        pendingInterest.set(id, effective);
        effective.then(() => {
          if (pendingInterest.get(id) === effective) pendingInterest.delete(id);
        });
      },
      published(channel, plain, fromMetadata) {
        broker.publish({
          kind: "message",
          appId,
          channel,
          frame: plain.bytes,
          ...(fromMetadata === undefined ? {} : { fromMetadata: metadataBytes(fromMetadata) }),
        });
      },
      connected(member) {
        presence.open(appId, member.peerId, socketOf(nodeId, member)).catch(swallow("open"));
      },
      disconnected(member) {
        const leave = () =>
          presence.close(appId, member.peerId, socketOf(nodeId, member)).then((channels) => {
            for (const channel of channels) announce(appId, channel, member.peerId, null);
          }, swallow("close"));
        if (!draining) {
          void leave();
          return;
        }
        const handover: Promise<void> = new Promise<void>((resolve) => {
          setTimeout(resolve, handoverMs).unref();
        })
          .then(leave)
          .finally(() => handovers.delete(handover));
        handovers.add(handover);
      },
      joined(member, channel) {
        const metadata = member.identity.peerMetadata;
        presence.join(appId, channel, member.peerId, socketOf(nodeId, member), metadata).then(({ first }) => {
          if (first) announce(appId, channel, member.peerId, metadata);
        }, swallow("join"));
      },
      left(member, channel) {
        presence.leave(appId, channel, member.peerId, socketOf(nodeId, member)).then(({ last }) => {
          if (last) announce(appId, channel, member.peerId, null);
        }, swallow("leave"));
      },
      async loadView(channel): Promise<PresenceMember[]> {
        const effective = pendingInterest.get(`${appId}\0${channel}`);
        if (effective) {
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([
            effective,
            new Promise<void>((resolve) => {
              timer = setTimeout(resolve, interestWaitMs);
            }),
          ]);
          clearTimeout(timer);
        }
        return presence.members(appId, channel);
      },
      async remoteNodesOf(peerId) {
        return (await presence.nodesOf(appId, peerId)).filter((node) => node !== nodeId);
      },
      sendDirect(nodes, to, frame) {
        broker.sendTo(nodes, { kind: "direct", appId, to, frame: frame.bytes });
      },
      kick(peerId) {
        broker.publish({ kind: "control", op: { type: "kick", appId, peerId } });
      },
      remoteConnections() {
        let n = 0;
        for (const [, node] of live()) n += node.info.connectionsByApp[appId] ?? 0;
        return n;
      },
    };
  }

  return {
    nodeId,
    linkFor,
    async start(registry) {
      apps = registry;
      await broker.start(receive);
      await heartbeat();
      every(heartbeatMs, () => void heartbeat());
      every(sweepMs, () => {
        presence.sweep().then(announceLeft, swallow("sweep"));
      });
    },
    startDraining() {
      draining = true;
      publishNodeInfo();
    },
    nodes() {
      const self: ClusterNodeSummary = { nodeId, self: true, ...localInfo(), ageMs: 0 };
      const now = Date.now();
      return [
        self,
        ...live().map(([id, { info, receivedAtMs }]) => ({
          nodeId: id,
          self: false,
          connections: info.connections,
          connectionsByApp: info.connectionsByApp,
          draining: info.draining,
          version: info.version,
          ageMs: now - receivedAtMs,
        })),
      ];
    },
    async close() {
      if (closed) return;
      await Promise.all([...handovers]);
      closed = true;
      for (const timer of timers) clearInterval(timer);
      clearTimeout(reconcileTimer);
      try {
        const result = await presence.resync({ connections: [], joins: [] });
        announceLeft(result.left);
      } catch (err) {
        log.warn({ err }, "cluster: could not remove this node's presence; it expires by itself");
      }
      broker.publish({
        kind: "control",
        op: {
          type: "node-info",
          info: { ...localInfo(), connections: 0, connectionsByApp: {}, draining: true },
        },
      });
      await broker.close();
      await presence.dispose();
    },
  };
}
