import type { JsonObject, PresenceMember } from "@switchboard/protocol";
import { Outbox } from "./channel-outbox.js";
import type { Member } from "./delivery/member.js";
import type { WireFrame } from "./encode.js";
import type { Meter } from "./meter.js";
import { type EncodedMember, encodeLeft, encodeMember, presenceFrames } from "./presence-frames.js";

/**
 * Longest time a presence change waits (protocol.md §5): the first change of a channel opens a
 * window, and its net effect goes out when the window closes. It also bounds the frames one member
 * gets per channel to 1000 / 50 = 20 per second, however fast others flap.
 */
export const PRESENCE_WINDOW_MS = 50;

/** One peer present in a channel: its presence-enabled sockets there and its encoded entry. */
export interface PresenceEntry {
  readonly metadata: JsonObject | undefined;
  readonly sockets: Set<Member>;
  readonly member: EncodedMember;
}

/** An open coalescing window of one channel. */
interface PresenceWindow {
  readonly timer: NodeJS.Timeout;
  /** Each peer whose presence changed in the window → its entry when the window opened (null: absent). */
  readonly before: Map<string, PresenceEntry | null>;
  /**
   * Sockets that subscribed during the window: their snapshot goes out when it closes, taken then,
   * so it already holds the window's changes and they get no change frame of it.
   */
  readonly newcomers: Set<Member>;
}

export interface PresenceChannelOptions {
  readonly meter: Meter;
  /** Default {@link PRESENCE_WINDOW_MS}; tests may shorten it. */
  readonly windowMs?: number;
  /** Bytes an {@link Outbox} may hold for a socket that is not reading. */
  readonly heldLimitBytes?: number;
  /**
   * Cluster mode: who is present is the cluster's view, fed by {@link PresenceChannel.load} and
   * {@link PresenceChannel.apply}, not this node's sockets. Default false.
   */
  readonly clustered?: boolean;
}

/** A change of the cluster view: the peer's metadata when present (undefined: none), null when gone. */
type ViewChange = readonly [peerId: string, metadata: JsonObject | undefined | null];

const NO_SOCKETS: ReadonlySet<Member> = new Set();

/**
 * The presence of one concrete channel (protocol.md §5): who is present (per peerId, over the
 * channel's presence-enabled sockets), the coalescing window, and the frames of the channel held
 * per socket (a snapshot not written yet, and what follows it).
 *
 * Changes: `join`/`leave` change {@link present} at once (REST and admin read it) and open a window
 * if none is open. When it closes, every member that was subscribed before it opened gets the net
 * change, encoded once: per changed peer, its entry then against its entry now — absent → present
 * is `joined`, present → absent is `left`, present with other metadata is both (`left` first),
 * unchanged is neither. Such a member's own peer never changed during the window (it was present
 * throughout), so the frame never tells anyone about itself. Members that subscribed during the
 * window get their snapshot instead, taken at the close.
 *
 * Snapshots outside a window (a peer's second socket) go out at once. A snapshot or change set over
 * 64 KiB is several frames, written through an {@link Outbox} so that the send cap is never hit.
 */
export class PresenceChannel {
  /** Present peers by peerId. */
  readonly present = new Map<string, PresenceEntry>();
  /** Sockets whose frames of this channel wait in an outbox; undefined when none (the usual case). */
  held: Map<Member, Outbox> | undefined;
  readonly #channel: string;
  readonly #subscribers: ReadonlyMap<Member, unknown>;
  readonly #options: PresenceChannelOptions;
  #window: PresenceWindow | undefined;
  /**
   * Cluster mode until the first {@link load}: changes that arrived meanwhile, and the sockets
   * whose snapshot waits for the view (their frames of the channel are held meanwhile).
   */
  #unloaded: { readonly changes: ViewChange[]; readonly waiting: Set<Member> } | undefined;

  constructor(channel: string, subscribers: ReadonlyMap<Member, unknown>, options: PresenceChannelOptions) {
    this.#channel = channel;
    this.#subscribers = subscribers;
    this.#options = options;
    if (options.clustered) this.#unloaded = { changes: [], waiting: new Set() };
  }

  /** A presence-enabled socket subscribed (it is in the channel's subscribers already). */
  join(connection: Member): void {
    if (!this.#options.clustered) this.#joinLocally(connection);
    if (this.#unloaded) {
      this.#unloaded.waiting.add(connection);
      this.#outboxFor(connection, false);
      return;
    }
    const window = this.#window;
    if (window) {
      window.newcomers.add(connection);
      this.#outboxFor(connection, false);
    } else this.#sendSnapshot(connection, [...this.present.values()]);
  }

  #joinLocally(connection: Member): void {
    const { peerId } = connection;
    const entry = this.present.get(peerId);
    if (entry) entry.sockets.add(connection);
    else {
      this.#changed(peerId, null);
      const metadata = connection.identity.peerMetadata;
      this.present.set(peerId, {
        metadata,
        sockets: new Set([connection]),
        member: encodeMember(peerId, metadata),
      });
    }
  }

  /**
   * Cluster mode: the view's first content (the channel's members cluster-wide, read after this
   * node's interest became effective). Changes that arrived before it are applied on top, in order,
   * and the sockets that waited get their snapshot.
   */
  load(members: readonly PresenceMember[]): void {
    const unloaded = this.#unloaded;
    if (!unloaded) return;
    this.#unloaded = undefined;
    for (const { peerId, metadata } of members) this.#set(peerId, metadata, false);
    for (const [peerId, metadata] of unloaded.changes) this.apply(peerId, metadata);
    for (const connection of unloaded.waiting) {
      const window = this.#window;
      if (window) window.newcomers.add(connection);
      else this.#sendSnapshot(connection, [...this.present.values()]);
    }
  }

  /** Cluster mode: a peer became present cluster-wide (`metadata`, undefined for none) or left (null). */
  apply(peerId: string, metadata: JsonObject | undefined | null): void {
    if (this.#unloaded) {
      this.#unloaded.changes.push([peerId, metadata]);
      return;
    }
    this.#set(peerId, metadata, true);
  }

  /**
   * Cluster mode: makes the view equal to `members` (after a backend outage, when announcements may
   * have been lost); the differences go out as ordinary, coalesced changes.
   */
  reconcile(members: readonly PresenceMember[]): void {
    if (this.#unloaded) {
      this.load(members);
      return;
    }
    const now = new Map(members.map((m) => [m.peerId, m.metadata]));
    for (const peerId of [...this.present.keys()]) if (!now.has(peerId)) this.#set(peerId, null, true);
    for (const [peerId, metadata] of now) this.#set(peerId, metadata, true);
  }

  #set(peerId: string, metadata: JsonObject | undefined | null, announce: boolean): void {
    const entry = this.present.get(peerId);
    if (metadata === null) {
      if (!entry) return;
      if (announce) this.#changed(peerId, entry);
      this.present.delete(peerId);
      return;
    }
    const member = encodeMember(peerId, metadata);
    if (entry?.member.json === member.json) return;
    if (announce) this.#changed(peerId, entry ?? null);
    this.present.set(peerId, { metadata, sockets: NO_SOCKETS as Set<Member>, member });
  }

  /** A socket left (it is no longer among the channel's subscribers); any socket may call it. */
  leave(connection: Member): void {
    const outbox = this.held?.get(connection);
    if (outbox) {
      outbox.cancel();
      this.#forget(connection);
    }
    this.#window?.newcomers.delete(connection);
    this.#unloaded?.waiting.delete(connection);
    if (this.#options.clustered) return;
    const { peerId } = connection;
    const entry = this.present.get(peerId);
    if (entry?.sockets.delete(connection) && entry.sockets.size === 0) {
      this.#changed(peerId, entry);
      this.present.delete(peerId);
    }
  }

  /** The channel is gone (no subscribers left): cancels the window and every outbox. */
  dispose(): void {
    if (this.#window) clearTimeout(this.#window.timer);
    this.#window = undefined;
    if (this.held) for (const outbox of this.held.values()) outbox.cancel();
    this.held = undefined;
  }

  /** Records the state of `peerId` before its first change in the window, opening one if needed. */
  #changed(peerId: string, before: PresenceEntry | null): void {
    let window = this.#window;
    if (!window) {
      const timer = setTimeout(() => this.#flush(), this.#options.windowMs ?? PRESENCE_WINDOW_MS);
      timer.unref();
      window = { timer, before: new Map(), newcomers: new Set() };
      this.#window = window;
    }
    if (!window.before.has(peerId)) window.before.set(peerId, before);
  }

  #flush(): void {
    const window = this.#window;
    if (!window) return;
    this.#window = undefined;
    const left: EncodedMember[] = [];
    const joined: EncodedMember[] = [];
    for (const [peerId, before] of window.before) {
      const now = this.present.get(peerId);
      if (before !== null && now !== undefined && before.member.json === now.member.json) continue;
      if (before !== null) left.push(encodeLeft(peerId));
      if (now !== undefined) joined.push(now.member);
    }
    const changes = left.length + joined.length > 0 ? [...presenceFrames(this.#channel, left, joined)] : [];
    const { newcomers } = window;
    if (changes.length > 0) {
      let sent = 0;
      for (const subscriber of this.#subscribers.keys()) {
        if (!subscriber.presenceEnabled || newcomers.has(subscriber)) continue;
        // Only in cluster mode can a member's own peer change while it is subscribed (its joined is
        // announced by the cluster after its snapshot): nobody is told about themselves.
        let frames = changes;
        if (window.before.has(subscriber.peerId)) {
          const own = subscriber.peerId;
          const l = left.filter((m) => m.peerId !== own);
          const j = joined.filter((m) => m.peerId !== own);
          if (l.length + j.length === 0) continue;
          frames = [...presenceFrames(this.#channel, l, j)];
        }
        this.#deliver(subscriber, frames);
        sent += frames.length;
      }
      this.#options.meter.framesOut.presence += sent;
    }
    if (newcomers.size === 0) return;
    const members = [...this.present.values()];
    for (const newcomer of newcomers) this.#sendSnapshot(newcomer, members);
  }

  /** Writes `frames` to a member, through its outbox when it has one or they are several. */
  #deliver(subscriber: Member, frames: readonly WireFrame[]): void {
    let outbox = this.held?.get(subscriber);
    if (!outbox && frames.length === 1) {
      subscriber.transport.send(frames[0] as WireFrame);
      return;
    }
    outbox ??= this.#outboxFor(subscriber, true);
    for (const frame of frames) outbox.push(frame);
  }

  /** The snapshot of everyone in `members` but the newcomer's own peer, before anything else. */
  #sendSnapshot(connection: Member, members: readonly PresenceEntry[]): void {
    const { peerId } = connection;
    const meter = this.#options.meter;
    const others = (function* () {
      for (const entry of members) if (entry.member.peerId !== peerId) yield entry.member;
    })();
    const chunks = (function* (frames: Generator<WireFrame, void, undefined>) {
      for (const frame of frames) {
        meter.framesOut.presence += 1;
        yield frame;
      }
    })(presenceFrames(this.#channel, [], others));
    const outbox = this.held?.get(connection);
    if (outbox) {
      outbox.start(chunks);
      return;
    }
    const first = chunks.next();
    if (first.done) return;
    // Most snapshots are one frame: written at once, with no outbox.
    const second = chunks.next();
    connection.transport.send(first.value);
    if (second.done) return;
    this.#outboxFor(connection, true).start(
      (function* () {
        yield second.value;
        yield* chunks;
      })(),
    );
  }

  #outboxFor(connection: Member, writing: boolean): Outbox {
    const outbox = new Outbox(connection.transport, {
      writing,
      onDrained: () => this.#forget(connection),
      ...(this.#options.heldLimitBytes === undefined ? {} : { heldLimitBytes: this.#options.heldLimitBytes }),
    });
    this.held ??= new Map();
    this.held.set(connection, outbox);
    return outbox;
  }

  #forget(connection: Member): void {
    const held = this.held;
    if (!held) return;
    held.delete(connection);
    if (held.size === 0) this.held = undefined;
  }
}
