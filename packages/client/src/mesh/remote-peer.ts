/**
 * `RemotePeer`: one remote member of the room and the `RTCPeerConnection` to it. It knows nothing
 * of `SignallingClient`: signals go out through its {@link RemotePeerPort} and come in through
 * `handleSignal`. Every operation on the connection (local offers, inbound descriptions and
 * candidates) runs on one queue, so W3C perfect negotiation reduces to one question per inbound
 * offer: is our own offer outstanding? Then the polite side rolls back and the impolite side
 * ignores the remote's offer.
 */

import { Emitter, type Listener } from "../emitter.js";
import type { Logger } from "../logger.js";
import type { Json, JsonObject } from "../types.js";
import { DataChannel } from "./data-channel.js";
import { PeerSendError } from "./errors.js";
import type { LocalMedia } from "./local-media.js";
import { REMOTE_TRANSITIONS, type RemotePeerState } from "./peer-state.js";
import { DISCONNECTED_GRACE_MS, restartDelay, STUCK_PAIR_MS } from "./restart-ladder.js";
import {
  type IceCandidateLike,
  isConnected,
  type MediaStreamLike,
  type MediaStreamTrackLike,
  type RawDataChannel,
  type RTCPeerConnectionLike,
  type RtpSenderLike,
} from "./rtc.js";
import type { Signal, StreamAnnouncement } from "./signals.js";

/** What a `RemotePeer` needs from its `Peer`. */
export interface RemotePeerPort {
  /** This `Peer` instance's session id. */
  readonly session: string;
  readonly log: Logger;
  readonly localMedia: LocalMedia;
  /** A fresh connection built with the latest `welcome`'s ICE servers. */
  createConnection(): RTCPeerConnectionLike;
  /** A new epoch, greater than every earlier one of this `Peer` (across all remotes). */
  nextEpoch(): number;
  /** Sends a signal to the remote's peerId over the server (best effort). */
  sendSignal(remote: RemotePeer, signal: Signal): void;
  /** A message arrived on the negotiated data channel. */
  onChannelData(remote: RemotePeer, data: Json | ArrayBuffer): void;
  /** Recovery gave up (the remote is `closed`). */
  onGaveUp(remote: RemotePeer): void;
}

/** Events of a {@link RemotePeer} and their context objects. */
export interface RemotePeerEvents {
  "state-change": { from: RemotePeerState; to: RemotePeerState; reason: string };
  /** A remote stream's first track arrived; `metadata` is what the sender gave `addStream`/`addTrack`. */
  "stream-added": { stream: MediaStreamLike; metadata: JsonObject };
  /** The sender removed the stream, or the connection carrying it was replaced or closed. */
  "stream-removed": { stream: MediaStreamLike };
  track: { track: MediaStreamTrackLike; streams: readonly MediaStreamLike[]; metadata: JsonObject };
  /** A data channel opened: the negotiated one (`id` 0) after every fresh connection, or one the remote app created. */
  "data-channel": { channel: DataChannel };
  /** The connection was replaced by a fresh one (a signalling reconnect, or the remote started over). */
  "connection-reset": { reason: string };
  "negotiation-error": { error: Error };
}

/** Label of the negotiated data channel every pair opens. */
export const MESH_CHANNEL_LABEL = "switchboard";
const MESH_CHANNEL_ID = 0;

type Timer = ReturnType<typeof setTimeout>;

/**
 * A remote member of the room. `pc` is replaced whenever the connection is rebuilt (never cache
 * it); the object itself lives as long as the remote stays in the room.
 */
export class RemotePeer {
  /** The remote's peerId. */
  readonly id: string;
  readonly #port: RemotePeerPort;
  readonly #events: Emitter<RemotePeerEvents>;
  #metadata: JsonObject;
  #polite: boolean;
  #state: RemotePeerState = "idle";
  #pc: RTCPeerConnectionLike | null = null;
  /** Our epoch for the current connection. */
  #epoch = 0;
  /** The remote's session, once a signal told us. */
  #remoteSession: string | null = null;
  /** The remote epoch the current connection negotiates with (set by its description or hello). */
  #boundEpoch: number | null = null;
  /** Serialises every operation on the connection. */
  #ops: Promise<void> = Promise.resolve();
  /** Local data channel and tracks attached (the polite side waits for the first offer). */
  #started = false;
  #ignoreOffer = false;
  #restartWanted = false;
  /** The remote epoch our outstanding offer was addressed to (`null`: unaddressed, first contact). */
  #offerSentTo: number | null = null;
  readonly #senders = new Map<MediaStreamTrackLike, RtpSenderLike>();
  #channel: DataChannel | null = null;
  readonly #announced = new Map<string, StreamAnnouncement>();
  readonly #remoteStreams = new Map<string, MediaStreamLike>();
  /** A signal was refused because the remote was not on the server. */
  #lost = false;
  /** ICE restarts in the current failure episode. */
  #rung = 0;
  #ladderTimer: Timer | undefined;
  #stuckTimer: Timer | undefined;
  #disconnectedTimer: Timer | undefined;

  /** Built by `Peer`; `polite` is true when the local peerId sorts lower than `id`. */
  constructor(id: string, metadata: JsonObject, polite: boolean, port: RemotePeerPort) {
    this.id = id;
    this.#metadata = metadata;
    this.#polite = polite;
    this.#port = port;
    this.#events = new Emitter((event, error) =>
      port.log.error("remote peer listener threw", { event: String(event), error }),
    );
  }

  /** Its peerMetadata from presence (`{}` when it has none). */
  get metadata(): JsonObject {
    return this.#metadata;
  }

  get state(): RemotePeerState {
    return this.#state;
  }

  /** True when this side yields on an offer collision (its own peerId sorts lower). */
  get polite(): boolean {
    return this.#polite;
  }

  /** The current connection (`null` before `start` and after `close`). Replaced on reconnect: never cache it. */
  get pc(): RTCPeerConnectionLike | null {
    return this.#pc;
  }

  /** The remote's `Peer` instance id, once known. */
  get session(): string | null {
    return this.#remoteSession;
  }

  /** The negotiated data channel of the current connection, when open. */
  get dataChannel(): DataChannel | null {
    return this.#channel?.readyState === "open" ? this.#channel : null;
  }

  on<K extends keyof RemotePeerEvents>(event: K, listener: Listener<RemotePeerEvents[K]>): () => void {
    return this.#events.on(event, listener);
  }

  off<K extends keyof RemotePeerEvents>(event: K, listener: Listener<RemotePeerEvents[K]>): void {
    this.#events.off(event, listener);
  }

  /** `{id, state}` only: never the connection, metadata or SDP. */
  toJSON(): { id: string; state: RemotePeerState } {
    return { id: this.id, state: this.#state };
  }

  /**
   * Sends `data` (a JSON value) peer-to-peer over the negotiated data channel. Rejects with
   * `PeerSendError('not_connected')` while the channel is not open.
   */
  send(data: Json): Promise<void> {
    if (data === undefined)
      return Promise.reject(new PeerSendError("invalid_args", "data must not be undefined"));
    const channel = this.dataChannel;
    if (channel === null) {
      return Promise.reject(new PeerSendError("not_connected", "the data channel to this peer is not open"));
    }
    let text: string;
    try {
      text = JSON.stringify(data);
    } catch (cause) {
      return Promise.reject(new PeerSendError("invalid_args", "data must be a JSON value", { cause }));
    }
    return channel.send(text);
  }

  // ---- driven by Peer ----

  /** Builds the first connection (`idle` → `connecting`). */
  start(): void {
    if (this.#state !== "idle") return;
    this.#setState("connecting", "discovered");
    this.#build();
  }

  /** Presence told us new metadata. */
  updateMetadata(metadata: JsonObject): void {
    this.#metadata = metadata;
  }

  /** After a signalling reconnect: a fresh connection with the new ICE servers (and politeness). */
  reset(reason: string, polite: boolean): void {
    if (this.#state === "closed") return;
    this.#polite = polite;
    this.#rebuild(reason);
  }

  /** Local media changed: add senders for new tracks, remove those of tracks no longer sent. */
  syncLocalMedia(): void {
    const pc = this.#pc;
    if (pc === null || !this.#started) return;
    const wanted = this.#port.localMedia.tracks();
    for (const [track, sender] of this.#senders) {
      if (wanted.has(track)) continue;
      this.#senders.delete(track);
      try {
        pc.removeTrack(sender);
      } catch (error) {
        this.#port.log.warn("removeTrack failed", { peerId: this.id, error: errorName(error) });
      }
    }
    for (const { stream, track } of this.#port.localMedia.pairs()) {
      if (this.#senders.has(track)) continue;
      try {
        this.#senders.set(track, pc.addTrack(track, stream));
      } catch (error) {
        this.#port.log.warn("addTrack failed", { peerId: this.id, error: errorName(error) });
      }
    }
  }

  /** A signal to this remote was refused as `peer_not_found`: it was not on the server then. */
  signalLost(): void {
    this.#lost = true;
  }

  /**
   * Presence says the remote is on the server. If a signal was lost before, the connection attempt
   * starts over from where it stands: the impolite side repeats (or makes) its offer, the polite side
   * says hello again.
   */
  reachable(): void {
    if (!this.#lost || this.#pc === null || this.#state === "closed") return;
    this.#lost = false;
    if (this.#polite) this.#signal({ kind: "hello", retry: true });
    else this.#enqueue(() => this.#offerAgain(true));
  }

  /** Swaps the sender of `oldTrack` to `newTrack` (no renegotiation). No-op when not sending it. */
  async replaceTrack(oldTrack: MediaStreamTrackLike, newTrack: MediaStreamTrackLike): Promise<void> {
    const sender = this.#senders.get(oldTrack);
    if (sender === undefined) return;
    await sender.replaceTrack(newTrack);
    this.#senders.delete(oldTrack);
    this.#senders.set(newTrack, sender);
  }

  /**
   * A signal from this remote's peerId. Decides whether it belongs to the current connection (see
   * signals.ts for session and epoch), rebuilds when the remote started over, then applies it.
   */
  handleSignal(signal: Signal): void {
    if (this.#state === "closed" || this.#state === "idle") return;
    if (signal.session !== this.#remoteSession) {
      const startsOver =
        signal.kind === "hello" ||
        signal.kind === "streams" ||
        (signal.kind === "description" && signal.description.type === "offer");
      // Answers and candidates of another instance (a second tab with the same peerId) are not ours.
      if (this.#remoteSession !== null && !startsOver) {
        this.#drop(signal, "other session");
        return;
      }
      const replaced = this.#remoteSession !== null;
      this.#remoteSession = signal.session;
      if (replaced) this.#rebuild("remote peer restarted");
    }
    if (signal.remoteEpoch !== undefined && signal.remoteEpoch !== this.#epoch) {
      this.#drop(signal, "addressed to a replaced connection");
      return;
    }
    const bound = this.#boundEpoch;
    if (bound !== null && signal.epoch < bound) {
      this.#drop(signal, "stale epoch");
      return;
    }
    if (bound !== null && signal.epoch > bound) {
      // The remote built a fresh connection. Ours is stale if it negotiated with the old one.
      if (this.#pc?.remoteDescription && signal.remoteEpoch !== this.#epoch) {
        this.#rebuild("remote connection restarted");
      } else this.#boundEpoch = null;
    }
    switch (signal.kind) {
      case "hello":
        this.#boundEpoch = signal.epoch;
        // The remote waits for an offer: make sure one comes (a fresh impolite side offers anyway).
        if (!this.#polite) {
          const retry = signal.retry === true;
          this.#enqueue(() => this.#offerAgain(retry));
        }
        return;
      case "streams":
        this.#onStreams(signal.streams);
        return;
      case "description": {
        const { description } = signal;
        // Bound now, not when the queue reaches it: the candidates right behind it must pass.
        this.#boundEpoch = signal.epoch;
        this.#enqueue(() => this.#onDescription(description));
        return;
      }
      case "candidate":
        if (this.#boundEpoch !== signal.epoch) {
          this.#drop(signal, "candidate before its description");
          return;
        }
        if (signal.candidate !== null) {
          const candidate = signal.candidate;
          this.#enqueue(() => this.#onCandidate(candidate));
        }
        return;
      case "bye":
        return; // handled by Peer
    }
  }

  /** Closes the connection for good (`closed`). */
  close(reason: string): void {
    if (this.#state === "closed") return;
    this.#teardown();
    this.#setState("closed", reason);
  }

  // ---- connection lifecycle ----

  #build(): void {
    const pc = this.#port.createConnection();
    this.#pc = pc;
    this.#epoch = this.#port.nextEpoch();
    this.#boundEpoch = null;
    this.#started = false;
    this.#ignoreOffer = false;
    this.#restartWanted = false;
    this.#lost = false;
    this.#ops = Promise.resolve();
    pc.onnegotiationneeded = () => {
      if (this.#pc === pc) this.#enqueue(() => this.#negotiate(false));
    };
    pc.onicecandidate = (ev) => {
      const c = ev?.candidate;
      if (this.#pc !== pc || c == null || !c.candidate) return;
      const init = typeof c.toJSON === "function" ? c.toJSON() : c;
      this.#signal({
        kind: "candidate",
        candidate: {
          candidate: init.candidate,
          sdpMid: init.sdpMid ?? null,
          sdpMLineIndex: init.sdpMLineIndex ?? null,
        },
      });
    };
    const onTransport = () => {
      if (this.#pc === pc) this.#onTransportState(pc);
    };
    pc.onconnectionstatechange = onTransport;
    pc.oniceconnectionstatechange = onTransport;
    pc.ontrack = (ev) => {
      if (this.#pc === pc) this.#onTrack(ev.track, ev.streams ?? []);
    };
    pc.ondatachannel = (ev) => {
      if (this.#pc === pc && ev?.channel) this.#wrapChannel(ev.channel, false);
    };
    if (this.#polite) {
      this.#signal({ kind: "hello" });
      this.#armStuck();
    } else this.#begin();
  }

  /** Local data channel and tracks: at once on the impolite side, after the first offer on the polite one. */
  #begin(): void {
    const pc = this.#pc;
    if (pc === null || this.#started) return;
    this.#started = true;
    try {
      const raw = pc.createDataChannel(MESH_CHANNEL_LABEL, {
        negotiated: true,
        id: MESH_CHANNEL_ID,
        ordered: true,
      });
      this.#wrapChannel(raw, true);
    } catch (error) {
      this.#port.log.warn("negotiated data channel could not be created", { error: errorName(error) });
    }
    this.syncLocalMedia();
  }

  #rebuild(reason: string): void {
    this.#teardown();
    if (this.#state === "connected") this.#setState("reconnecting", reason);
    this.#rung = 0;
    this.#build();
    this.#port.log.info("connection reset", { peerId: this.id, reason });
    this.#events.emit("connection-reset", { reason });
  }

  /** Closes the current connection and forgets everything tied to it. */
  #teardown(): void {
    this.#clearTimers();
    const pc = this.#pc;
    this.#pc = null;
    this.#senders.clear();
    this.#announced.clear();
    const channel = this.#channel;
    this.#channel = null;
    if (channel !== null) channel.close();
    if (pc !== null) {
      pc.onnegotiationneeded = null;
      pc.onicecandidate = null;
      pc.onconnectionstatechange = null;
      pc.oniceconnectionstatechange = null;
      pc.ontrack = null;
      pc.ondatachannel = null;
      try {
        pc.close();
      } catch {
        // Already closed.
      }
    }
    const streams = [...this.#remoteStreams.values()];
    this.#remoteStreams.clear();
    for (const stream of streams) this.#events.emit("stream-removed", { stream });
  }

  // ---- negotiation (each runs on the queue) ----

  #enqueue(op: () => Promise<void>): void {
    const pc = this.#pc;
    this.#ops = this.#ops.then(async () => {
      if (this.#pc !== pc || pc === null) return; // queued for a connection since replaced
      try {
        await op();
      } catch (error) {
        if (this.#pc !== pc) return;
        const err = error instanceof Error ? error : new Error(String(error));
        this.#port.log.warn("negotiation step failed", { peerId: this.id, error: err.name });
        this.#events.emit("negotiation-error", { error: err });
      }
    });
  }

  async #negotiate(iceRestart: boolean): Promise<void> {
    const pc = this.#pc;
    if (pc === null) return;
    if (pc.signalingState !== "stable") {
      if (iceRestart) this.#restartWanted = true;
      return;
    }
    // Stream metadata first, so it reaches the receiver before the offer that carries the media.
    this.#signal({ kind: "streams", streams: this.#port.localMedia.announcement() });
    const offer = await pc.createOffer(iceRestart ? { iceRestart: true } : undefined);
    if (this.#pc !== pc || pc.signalingState !== "stable") return;
    await pc.setLocalDescription(offer);
    this.#restartWanted = false;
    this.#offerSentTo = this.#boundEpoch;
    const sdp = pc.localDescription?.sdp ?? offer.sdp ?? "";
    this.#signal({ kind: "description", description: { type: "offer", sdp } });
    this.#armStuck();
  }

  /**
   * The remote says hello: its connection is fresh and waits for our offer. An outstanding offer is
   * repeated when it was addressed to the remote's previous connection (which dropped it) or when
   * the remote says it is still waiting (`retry`); a fresh connection of ours offers by itself.
   */
  async #offerAgain(retry: boolean): Promise<void> {
    const pc = this.#pc;
    if (pc === null) return;
    const local = pc.localDescription;
    if (pc.signalingState === "have-local-offer" && local?.sdp) {
      const addressedElsewhere = this.#offerSentTo !== null && this.#offerSentTo !== this.#boundEpoch;
      if (!retry && !addressedElsewhere) return;
      this.#offerSentTo = this.#boundEpoch;
      this.#signal({ kind: "streams", streams: this.#port.localMedia.announcement() });
      this.#signal({ kind: "description", description: { type: "offer", sdp: local.sdp } });
      return;
    }
    if (retry && pc.signalingState === "stable" && pc.remoteDescription == null) await this.#negotiate(false);
  }

  async #onDescription(description: { type: "offer" | "answer"; sdp: string }): Promise<void> {
    const pc = this.#pc;
    if (pc === null) return;
    if (description.type === "answer" && pc.signalingState !== "have-local-offer") {
      this.#port.log.debug("answer without an outstanding offer dropped", { peerId: this.id });
      return;
    }
    const collision = description.type === "offer" && pc.signalingState !== "stable";
    this.#ignoreOffer = !this.#polite && collision;
    if (this.#ignoreOffer) {
      this.#port.log.debug("offer collision: ignoring the remote offer", { peerId: this.id });
      return;
    }
    if (collision) await pc.setLocalDescription({ type: "rollback" });
    await pc.setRemoteDescription(description);
    if (this.#pc !== pc) return;
    if (description.type === "offer") {
      const answer = await pc.createAnswer();
      if (this.#pc !== pc) return;
      await pc.setLocalDescription(answer);
      const sdp = pc.localDescription?.sdp ?? answer.sdp ?? "";
      this.#signal({ kind: "description", description: { type: "answer", sdp } });
      // First contact: only now does the polite side add its channel and tracks (then renegotiates).
      if (!this.#started) this.#begin();
    }
    this.#armStuck();
    if (this.#restartWanted && !this.#polite && pc.signalingState === "stable") {
      this.#enqueue(() => this.#negotiate(true));
    }
  }

  async #onCandidate(candidate: IceCandidateLike): Promise<void> {
    const pc = this.#pc;
    if (pc === null) return;
    try {
      await pc.addIceCandidate(candidate);
    } catch (error) {
      // Candidates of an offer we ignored fail by design; anything else is worth a log line.
      if (!this.#ignoreOffer)
        this.#port.log.debug("addIceCandidate failed", { peerId: this.id, error: errorName(error) });
    }
  }

  // ---- media and data ----

  #onStreams(streams: StreamAnnouncement[]): void {
    const ids = new Set(streams.map((s) => s.id));
    this.#announced.clear();
    for (const s of streams) this.#announced.set(s.id, s);
    for (const [id, stream] of [...this.#remoteStreams]) {
      if (ids.has(id)) continue;
      this.#remoteStreams.delete(id);
      this.#events.emit("stream-removed", { stream });
    }
  }

  #onTrack(track: MediaStreamTrackLike, streams: readonly MediaStreamLike[]): void {
    const first = streams[0];
    const metadata = toJsonObject(first === undefined ? undefined : this.#announced.get(first.id)?.metadata);
    if (first !== undefined && !this.#remoteStreams.has(first.id)) {
      this.#remoteStreams.set(first.id, first);
      this.#events.emit("stream-added", { stream: first, metadata });
    }
    this.#events.emit("track", { track, streams, metadata });
  }

  #wrapChannel(raw: RawDataChannel, negotiated: boolean): void {
    const channel = new DataChannel(raw, { logger: this.#port.log });
    if (negotiated) {
      this.#channel = channel;
      channel.on("message", ({ data }) =>
        this.#port.onChannelData(this, decodeChannelData(data, this.#port.log)),
      );
    }
    const announce = () => this.#events.emit("data-channel", { channel });
    if (raw.readyState === "open") announce();
    else channel.on("open", announce);
  }

  // ---- transport state and the restart ladder ----

  #onTransportState(pc: RTCPeerConnectionLike): void {
    if (isConnected(pc)) {
      this.#clearTimers();
      this.#rung = 0;
      if (this.#state !== "connected") this.#setState("connected", "transport connected");
      return;
    }
    const state = pc.connectionState ?? pc.iceConnectionState;
    if (state === "failed" || pc.iceConnectionState === "failed") this.#recover("ICE failed");
    else if (state === "disconnected" || pc.iceConnectionState === "disconnected") {
      if (this.#disconnectedTimer === undefined && this.#ladderTimer === undefined) {
        this.#disconnectedTimer = setTimeout(() => {
          this.#disconnectedTimer = undefined;
          if (this.#pc === pc && !isConnected(pc)) this.#recover("ICE disconnected for 5 s");
        }, DISCONNECTED_GRACE_MS);
      }
    }
  }

  /** Not connected 10 s after the last negotiation: one rung of the ladder. */
  #armStuck(): void {
    clearTimeout(this.#stuckTimer);
    const pc = this.#pc;
    this.#stuckTimer = setTimeout(() => {
      this.#stuckTimer = undefined;
      if (this.#pc === pc && pc !== null && !isConnected(pc))
        this.#recover("not connected 10 s after negotiating");
    }, STUCK_PAIR_MS);
  }

  /** One rung: wait the ladder's delay, then the impolite side restarts ICE; give up after the last. */
  #recover(why: string): void {
    if (this.#ladderTimer !== undefined || this.#state === "closed") return;
    clearTimeout(this.#stuckTimer);
    clearTimeout(this.#disconnectedTimer);
    this.#stuckTimer = undefined;
    this.#disconnectedTimer = undefined;
    this.#rung += 1;
    const delay = restartDelay(this.#rung);
    if (delay === null) {
      this.#port.log.warn("connection could not be restored; giving up", { peerId: this.id });
      this.close("ICE restarts exhausted");
      this.#port.onGaveUp(this);
      return;
    }
    if (this.#state === "connected") this.#setState("reconnecting", why);
    this.#port.log.info("ICE recovery scheduled", { peerId: this.id, rung: this.#rung, delayMs: delay, why });
    this.#ladderTimer = setTimeout(() => {
      this.#ladderTimer = undefined;
      const pc = this.#pc;
      if (pc === null || isConnected(pc)) return;
      if (this.#polite) {
        // The impolite side restarts; without a remote description it may not know us: say hello again.
        if (pc.remoteDescription == null) this.#signal({ kind: "hello", retry: true });
      } else this.#enqueue(() => this.#negotiate(true));
      this.#armStuck();
    }, delay);
  }

  #clearTimers(): void {
    clearTimeout(this.#ladderTimer);
    clearTimeout(this.#stuckTimer);
    clearTimeout(this.#disconnectedTimer);
    this.#ladderTimer = undefined;
    this.#stuckTimer = undefined;
    this.#disconnectedTimer = undefined;
  }

  // ---- helpers ----

  #signal(body: DistributiveOmit<Signal, "session" | "epoch" | "to" | "remoteEpoch">): void {
    const signal = { ...body, session: this.#port.session, epoch: this.#epoch } as Signal;
    if (this.#remoteSession !== null) signal.to = this.#remoteSession;
    if (this.#boundEpoch !== null) signal.remoteEpoch = this.#boundEpoch;
    this.#port.sendSignal(this, signal);
  }

  #drop(signal: Signal, why: string): void {
    this.#port.log.debug("signal dropped", { peerId: this.id, kind: signal.kind, why });
  }

  #setState(next: RemotePeerState, reason: string): void {
    const from = this.#state;
    if (from === next || !REMOTE_TRANSITIONS[from].includes(next)) return;
    this.#state = next;
    this.#port.log.debug("remote peer state", { peerId: this.id, from, to: next, reason });
    this.#events.emit("state-change", { from, to: next, reason });
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function toJsonObject(value: unknown): JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as JsonObject) : {};
}

/** Text on the negotiated channel is JSON (what `RemotePeer.send` writes); binary passes through. */
function decodeChannelData(data: string | ArrayBuffer, log: Logger): Json | ArrayBuffer {
  if (typeof data !== "string") return data;
  try {
    return JSON.parse(data) as Json;
  } catch {
    log.debug("non-JSON text on the data channel passed through as a string");
    return data;
  }
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}
