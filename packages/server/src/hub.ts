import {
  compilePattern,
  type Json,
  type JsonObject,
  Limits,
  literalName,
  type PresenceMember,
  patternSegmentPrefix,
  segmentPrefixes,
} from "@switchboard/protocol";
import type { ClusterLink } from "./cluster/app-link.js";
import type { Member, Sender } from "./delivery/member.js";
import type { Subscription } from "./delivery/subscriptions.js";
import { frameBytes, stampFrame, type WireFrame } from "./encode.js";
import { createMessageRates, type MessageRates } from "./message-rates.js";
import { createMeter, type Meter } from "./meter.js";
import { PresenceChannel, type PresenceChannelOptions } from "./presence-coalescer.js";

/** Who is in one concrete channel. */
interface ChannelState {
  readonly subscribers: Map<Member, Subscription>;
  /** Presence per peerId (protocol.md §5), coalesced; only presence-enabled sockets count. */
  readonly presence: PresenceChannel;
}

interface WildcardState {
  readonly matches: (literal: string) => boolean;
  /** {@link patternSegmentPrefix}: the key of this pattern in the prefix index. */
  readonly prefix: string;
  readonly subscribers: Map<Member, Subscription>;
}

/** A concrete channel as admin stats list it. */
export interface ChannelStats {
  channel: string;
  /** Sockets subscribed. */
  subscribers: number;
  /** Distinct peers present (presence-enabled sockets only, protocol.md §5). */
  peers: number;
}

/** A wildcard subscription pattern as admin stats list it. */
export interface PatternStats {
  pattern: string;
  subscribers: number;
}

/**
 * The local index of one app: channel → sockets, pattern → sockets, peerId → sockets, and the
 * fan-out over them. Every outgoing frame is encoded and WebSocket-framed once, and the same bytes
 * go to every socket.
 * Presence is kept here: a peer joins when its first socket subscribes and leaves when its last
 * leaves; changes reach members coalesced per channel ({@link PresenceChannel}), and subscribers
 * never hear about their own peer.
 */
export interface Hub {
  addConnection(connection: Member): void;
  /** Drops every subscription of the connection (announcing `left` where due). */
  removeConnection(connection: Member): void;
  /** Adds a new subscription; for a concrete channel also sends the snapshot and announces the peer. */
  subscribe(connection: Member, subscription: Subscription): void;
  unsubscribe(connection: Member, channel: string): void;
  /** Fans a message out to the channel's and matching patterns' subscribers; returns recipients. */
  publish(sender: Sender, channel: string, data: Json): number;
  /** Sockets of a peer in this app (empty when offline); a snapshot when the peer has one socket. */
  socketsOf(peerId: string): ReadonlySet<Member>;
  /** Whether the peer has at least one socket here. */
  hasPeer(peerId: string): boolean;
  /**
   * Writes a `direct` frame (see {@link directFrame}) accepted on this node to every local socket of
   * `to`; returns how many got it. Counted as a message in even when none did (the peer may be on
   * another node).
   */
  sendDirect(to: string, frame: WireFrame): number;
  /** The peers present in a concrete channel, one entry per peerId, as this node knows them. */
  presenceOf(channel: string): PresenceMember[];
  /**
   * The peers present in a concrete channel: this node's {@link presenceOf} on a single node, the
   * cluster's registry in cluster mode (rejects when it cannot be read).
   */
  members(channel: string): Promise<PresenceMember[]>;
  /** Cluster mode: the link to the other nodes; undefined on a single node. */
  readonly cluster: ClusterLink | undefined;
  /**
   * Cluster mode: a message another node published, as its plain frame and the sender's metadata as
   * UTF-8 JSON (the stamped frame is spliced from both only if a subscriber here asked for it).
   */
  deliverRemote(channel: string, plain: WireFrame, fromMetadataJson: Buffer | undefined): number;
  /** Cluster mode: a `direct` frame another node sent to the local sockets of `to`. */
  deliverDirect(to: string, frame: WireFrame): number;
  /** Cluster mode: a peer became present in `channel` cluster-wide (its metadata) or left (null). */
  applyPresence(channel: string, peerId: string, metadata: JsonObject | undefined | null): void;
  /** Cluster mode: re-reads every local channel's presence from the cluster (after an outage). */
  reconcilePresence(): Promise<void>;
  /** Every concrete channel with at least one local subscriber, in no particular order. */
  listChannels(): ChannelStats[];
  /** Every wildcard pattern with at least one local subscriber, in no particular order. */
  listPatterns(): PatternStats[];
  /** Whether subscribing to wildcard `pattern` stays within `Limits.maxWildcardPatternsPerBucket`. */
  acceptsPattern(pattern: string): boolean;
  readonly channelCount: number;
  /** Distinct peers with at least one socket here. */
  readonly peerCount: number;
  /**
   * Messages in (each `publish` and `sendDirect` call: accepted publish/send and REST publish) and
   * out (sockets written to), counted here so every caller is covered.
   */
  readonly rates: MessageRates;
}

const NO_SOCKETS: ReadonlySet<Member> = new Set();
/** Channel names whose matching patterns a hub remembers (≈ 0.3 MB at most with 256-byte names). */
const MATCH_CACHE_ENTRIES = 1_024;

/** The `direct` frame from `sender` (with its metadata, when it has some). */
export function directFrame(sender: Sender, data: Json): WireFrame {
  return frameBytes(
    sender.peerMetadata === undefined
      ? { type: "direct", from: sender.peerId, data }
      : { type: "direct", from: sender.peerId, data, fromMetadata: sender.peerMetadata },
  );
}

function member(peerId: string, metadata: JsonObject | undefined): PresenceMember {
  return metadata === undefined ? { peerId } : { peerId, metadata };
}

/**
 * `cluster` links the hub to the other nodes of a cluster (cluster mode; see ClusterLink).
 * `rates` is injectable so tests can drive its clock. `meter` gets the deliveries of every frame the
 * hub writes (one integer add per fan-out) and the fan-out time of each publish. `presence` tunes
 * the coalescing window (default 50 ms) and outbox bound.
 */
export function createHub(
  rates: MessageRates = createMessageRates(),
  meter: Meter = createMeter(),
  presence: Omit<PresenceChannelOptions, "meter" | "clustered"> = {},
  cluster?: ClusterLink,
): Hub {
  const presenceOptions: PresenceChannelOptions = { ...presence, meter, clustered: cluster !== undefined };
  const channels = new Map<string, ChannelState>();
  const wildcards = new Map<string, WildcardState>();
  // Patterns by their literal leading segments, so a publish tests only the patterns that could
  // match its channel (those under "", "a/", "a/b/" for `a/b/c`), not every pattern of the app:
  // with one `user/<id>/**` per user, each publish would otherwise test them all.
  const wildcardsByPrefix = new Map<string, Map<string, WildcardState>>();
  // The patterns matching a channel, remembered per channel name (as NATS's sublist caches per
  // subject): a busy channel is matched against the patterns once, not on every publish. Cleared
  // whenever a pattern comes or goes (the states' subscriber maps stay live), and when full.
  const matchCache = new Map<string, WildcardState[]>();
  // A peer's only socket is stored as itself: most peers have one, and a one-element Set per
  // connection costs ≈ 0.15 KB.
  const peers = new Map<string, Member | Set<Member>>();

  /** Counts one publish's deliveries and fan-out time; returns `recipients`. */
  function fannedOut(recipients: number, startedMs: number): number {
    meter.framesOut.message += recipients;
    meter.observeFanout((performance.now() - startedMs) / 1000);
    return recipients;
  }

  /** `closing`: the socket is going away, and the cluster hears about that once, not per channel. */
  function leaveChannel(connection: Member, channel: string, closing: boolean): void {
    const state = channels.get(channel);
    if (!state?.subscribers.delete(connection)) return;
    state.presence.leave(connection);
    if (cluster && connection.presenceEnabled && !closing) cluster.left(connection, channel);
    if (state.subscribers.size === 0) {
      state.presence.dispose();
      channels.delete(channel);
      cluster?.interest({ channel }, false);
    }
  }

  /** Cluster mode: fills a new channel's presence view once this node's interest is effective. */
  function loadView(channel: string, state: ChannelState): void {
    if (!cluster) return;
    const load = (members: PresenceMember[]) => {
      if (channels.get(channel) === state) state.presence.load(members);
    };
    // With the backend away the view starts empty; the node reconciles it when the backend returns.
    cluster.loadView(channel).then(load, () => load([]));
  }

  /** The wildcard patterns that match the literal name `literal` (see `matchCache`). */
  function matchingPatterns(literal: string): WildcardState[] {
    const cached = matchCache.get(literal);
    if (cached !== undefined) return cached;
    const matching: WildcardState[] = [];
    for (const prefix of segmentPrefixes(literal)) {
      const bucket = wildcardsByPrefix.get(prefix);
      if (bucket === undefined) continue;
      for (const pattern of bucket.values()) if (pattern.matches(literal)) matching.push(pattern);
    }
    if (matchCache.size >= MATCH_CACHE_ENTRIES) matchCache.clear();
    matchCache.set(literal, matching);
    return matching;
  }

  function leavePattern(connection: Member, pattern: string): void {
    const state = wildcards.get(pattern);
    if (!state) return;
    state.subscribers.delete(connection);
    if (state.subscribers.size > 0) return;
    matchCache.clear();
    wildcards.delete(pattern);
    const bucket = wildcardsByPrefix.get(state.prefix);
    bucket?.delete(pattern);
    if (bucket?.size === 0) wildcardsByPrefix.delete(state.prefix);
    cluster?.interest({ pattern }, false);
  }

  /** The frame for each subscription, each variant encoded at most once; `plain()` for the cluster. */
  function messageBytes(sender: Sender, channel: string, data: Json) {
    let plain: WireFrame | undefined;
    let stamped: WireFrame | undefined;
    const plainFrame = () => {
      plain ??= frameBytes({ type: "message", channel, from: sender.peerId, data });
      return plain;
    };
    const bytesFor = (subscription: Subscription): WireFrame => {
      if (subscription.includeSenderMetadata && sender.peerMetadata !== undefined) {
        stamped ??= frameBytes({
          type: "message",
          channel,
          from: sender.peerId,
          data,
          fromMetadata: sender.peerMetadata,
        });
        return stamped;
      }
      return plainFrame();
    };
    return { bytesFor, plainFrame };
  }

  /** A frame from another node: the stamped variant is spliced from it only when asked for. */
  function remoteBytes(plain: WireFrame, fromMetadataJson: Buffer | undefined) {
    let stamped: WireFrame | undefined;
    return (subscription: Subscription): WireFrame => {
      if (!subscription.includeSenderMetadata || fromMetadataJson === undefined) return plain;
      stamped ??= stampFrame(plain, fromMetadataJson);
      return stamped;
    };
  }

  /** Writes a message to the channel's and matching patterns' subscribers but `exclude`. */
  function fanOut(
    channel: string,
    bytesFor: (subscription: Subscription) => WireFrame,
    exclude: Member | undefined,
  ): number {
    const state = channels.get(channel);
    let recipients = 0;
    if (state) {
      // Sockets whose snapshot of this channel is not written yet get the message after it.
      const held = state.presence.held;
      for (const [subscriber, subscription] of state.subscribers) {
        if (subscriber === exclude) continue;
        const outbox = held?.get(subscriber);
        if (outbox === undefined) subscriber.transport.send(bytesFor(subscription));
        else outbox.push(bytesFor(subscription));
        recipients += 1;
      }
    }
    if (wildcards.size === 0) return recipients;
    const literal = literalName(channel);
    // A socket subscribed both to the channel and to matching patterns gets the message once.
    const served = new Set<Member>();
    for (const pattern of matchingPatterns(literal)) {
      for (const [subscriber, subscription] of pattern.subscribers) {
        if (subscriber === exclude || state?.subscribers.has(subscriber) || served.has(subscriber)) continue;
        served.add(subscriber);
        subscriber.transport.send(bytesFor(subscription));
        recipients += 1;
      }
    }
    return recipients;
  }

  /** Writes `bytes` to every local socket of `to`; `accepted`: messages in (1 from here, 0 relayed). */
  function directTo(to: string, bytes: WireFrame, accepted: 0 | 1): number {
    const sockets = peers.get(to);
    let sent = 0;
    if (sockets instanceof Set) {
      for (const socket of sockets) socket.transport.send(bytes);
      sent = sockets.size;
    } else if (sockets !== undefined) {
      sockets.transport.send(bytes);
      sent = 1;
    }
    meter.framesOut.direct += sent;
    rates.record(accepted, sent);
    return sent;
  }

  return {
    addConnection(connection) {
      const { peerId } = connection;
      const sockets = peers.get(peerId);
      if (sockets === undefined) peers.set(peerId, connection);
      else if (sockets instanceof Set) sockets.add(connection);
      else if (sockets !== connection) peers.set(peerId, new Set([sockets, connection]));
      cluster?.connected(connection);
    },

    removeConnection(connection) {
      for (const subscription of connection.subscriptions.values()) {
        if (subscription.wildcard) leavePattern(connection, subscription.channel);
        else leaveChannel(connection, subscription.channel, true);
      }
      connection.subscriptions.clear();
      cluster?.disconnected(connection);
      const { peerId } = connection;
      const sockets = peers.get(peerId);
      if (sockets === connection) peers.delete(peerId);
      else if (sockets instanceof Set && sockets.delete(connection) && sockets.size <= 1) {
        const [last] = sockets;
        if (last) peers.set(peerId, last);
        else peers.delete(peerId);
      }
    },

    acceptsPattern(pattern) {
      if (wildcards.has(pattern)) return true;
      const bucket = wildcardsByPrefix.get(patternSegmentPrefix(pattern));
      return (bucket?.size ?? 0) < Limits.maxWildcardPatternsPerBucket;
    },

    subscribe(connection, subscription) {
      const { channel } = subscription;
      connection.subscriptions.set(channel, subscription);
      if (subscription.wildcard) {
        let state = wildcards.get(channel);
        if (!state) {
          state = {
            matches: compilePattern(channel),
            prefix: patternSegmentPrefix(channel),
            subscribers: new Map(),
          };
          wildcards.set(channel, state);
          matchCache.clear();
          let bucket = wildcardsByPrefix.get(state.prefix);
          if (!bucket) {
            bucket = new Map();
            wildcardsByPrefix.set(state.prefix, bucket);
          }
          bucket.set(channel, state);
          cluster?.interest({ pattern: channel }, true);
        }
        state.subscribers.set(connection, subscription);
        return;
      }
      let state = channels.get(channel);
      if (!state) {
        const subscribers = new Map<Member, Subscription>();
        state = { subscribers, presence: new PresenceChannel(channel, subscribers, presenceOptions) };
        channels.set(channel, state);
        cluster?.interest({ channel }, true);
        loadView(channel, state);
      }
      state.subscribers.set(connection, subscription);
      // Its snapshot (now, or when the open window closes), then its `joined` to the others.
      if (connection.presenceEnabled) {
        state.presence.join(connection);
        cluster?.joined(connection, channel);
      }
    },

    unsubscribe(connection, channel) {
      const subscription = connection.subscriptions.get(channel);
      if (!subscription) return;
      connection.subscriptions.delete(channel);
      if (subscription.wildcard) leavePattern(connection, channel);
      else leaveChannel(connection, channel, false);
    },

    publish(sender, channel, data) {
      const startedMs = performance.now();
      const { bytesFor, plainFrame } = messageBytes(sender, channel, data);
      const recipients = fanOut(channel, bytesFor, sender.connection);
      rates.record(1, recipients);
      cluster?.published(channel, plainFrame(), sender.peerMetadata);
      return fannedOut(recipients, startedMs);
    },

    deliverRemote(channel, plain, fromMetadataJson) {
      const startedMs = performance.now();
      const recipients = fanOut(channel, remoteBytes(plain, fromMetadataJson), undefined);
      rates.record(0, recipients);
      return fannedOut(recipients, startedMs);
    },

    deliverDirect(to, frame) {
      return directTo(to, frame, 0);
    },

    applyPresence(channel, peerId, metadata) {
      channels.get(channel)?.presence.apply(peerId, metadata);
    },

    async reconcilePresence() {
      if (!cluster) return;
      for (const [channel, state] of [...channels]) {
        const members = await cluster.loadView(channel);
        if (channels.get(channel) === state) state.presence.reconcile(members);
      }
    },

    async members(channel) {
      if (!cluster) return this.presenceOf(channel);
      return cluster.loadView(channel);
    },

    cluster,

    socketsOf(peerId) {
      const sockets = peers.get(peerId);
      if (sockets === undefined) return NO_SOCKETS;
      return sockets instanceof Set ? sockets : new Set([sockets]);
    },

    hasPeer(peerId) {
      return peers.has(peerId);
    },

    sendDirect(to, frame) {
      return directTo(to, frame, 1);
    },

    presenceOf(channel) {
      const state = channels.get(channel);
      if (!state) return [];
      return [...state.presence.present].map(([peerId, entry]) => member(peerId, entry.metadata));
    },

    listChannels() {
      return [...channels].map(([channel, state]) => ({
        channel,
        subscribers: state.subscribers.size,
        peers: state.presence.present.size,
      }));
    },

    listPatterns() {
      return [...wildcards].map(([pattern, state]) => ({ pattern, subscribers: state.subscribers.size }));
    },

    get channelCount() {
      return channels.size;
    },

    get peerCount() {
      return peers.size;
    },

    rates,
  };
}
