/**
 * `Peer`: a WebRTC mesh over one room channel. One `SignallingClient` carries presence (who is in
 * the room) and the signals of every pair (`send` frames with an envelope, see signals.ts); one
 * {@link RemotePeer} per remote holds the `RTCPeerConnection`.
 *
 * Lifecycle: `join()` connects, subscribes, checks the `send` action and discovers remotes from
 * the presence snapshot; later presence adds and removes them. A signalling drop leaves the peer
 * connections alone (media keeps flowing); after the reconnect every remote gets a fresh
 * connection with the new ICE servers, and the first snapshot reconciles who is still there.
 */

import { channelProblem } from "../argument-checks.js";
import { ErrorCode } from "../codes.js";
import { Emitter, type Listener } from "../emitter.js";
import { type SendError, ServerRequestError } from "../errors.js";
import { type Logger, NoopLogger, safeLogger } from "../logger.js";
import type { SignallingClientOptions } from "../options.js";
import { SignallingClient } from "../signalling-client.js";
import type { Json, JsonObject, PresenceEvent } from "../types.js";
import {
  PeerJoinError,
  PeerSendError,
  PeerStateError,
  ReplaceTrackError,
  type ReplaceTrackFailure,
} from "./errors.js";
import { LocalMedia, streamMetadataProblem } from "./local-media.js";
import { PEER_TRANSITIONS, type PeerState } from "./peer-state.js";
import { RemotePeer, type RemotePeerPort } from "./remote-peer.js";
import {
  defaultPeerConnectionFactory,
  type MediaStreamLike,
  type MediaStreamTrackLike,
  type RTCPeerConnectionFactory,
  type RTCPeerConnectionLike,
} from "./rtc.js";
import { decodeSignal, encodeSignal, type Signal } from "./signals.js";

/** Options of `new Peer(options)`: those of `SignallingClient`, plus the peer connection factory. */
export interface PeerOptions extends SignallingClientOptions {
  /**
   * Builds each `RTCPeerConnection`; `config.iceServers` holds the validated servers of the latest
   * `welcome`. Default: the global `RTCPeerConnection`. In Node pass one built on `@roamhq/wrtc`;
   * wrap it to add settings, e.g. `(c) => new RTCPeerConnection({ ...c, iceTransportPolicy: "relay" })`.
   */
  rtcPeerConnectionFactory?: RTCPeerConnectionFactory;
}

/** Context of a `data` event. */
export interface PeerDataEvent {
  senderPeerId: string;
  data: Json | ArrayBuffer;
  /** `broadcast`: published to the room; `direct`: addressed to this peer (`sendTo` or `RemotePeer.send`). */
  kind: "broadcast" | "direct";
  /** **[ours]** `server` (a `publish` or `send` frame) or `data-channel` (peer-to-peer, `RemotePeer.send`). */
  via: "server" | "data-channel";
}

/** Every event of `Peer` and its context. */
export interface PeerEvents {
  "state-change": { from: PeerState; to: PeerState; reason: string };
  joined: { peerId: string; channel: string };
  left: { channel: string };
  "peer-joined": { peer: RemotePeer };
  "peer-left": { peer: RemotePeer };
  data: PeerDataEvent;
  error: { error: Error };
  "token-provider-error": { error: Error; attempt: number };
}

/** A peerId no one has: `send` to it answers `peer_not_found` with `send`, `action_not_permitted` without. */
const PERMISSION_PROBE_PEER = "$sb-permission-probe";
/** `bye` is a courtesy: leaving does not wait longer than this for its acks. */
const BYE_WAIT_MS = 1_000;
/**
 * A remote missing from the first snapshot after a reconnect may be reconnecting itself (a server
 * restart drops everyone at once): it keeps its RemotePeer this long before it counts as gone.
 */
export const RECONNECT_GRACE_MS = 15_000;

/**
 * A member of one room's WebRTC mesh.
 *
 * ```ts
 * const peer = new Peer({ url: "wss://rt.example.com", apiKey: "pk_live_…" });
 * peer.on("peer-joined", ({ peer: remote }) =>
 *   remote.on("stream-added", ({ stream, metadata }) => show(stream, metadata)));
 * peer.addStream(await navigator.mediaDevices.getUserMedia({ video: true, audio: true }));
 * await peer.join("room-42");
 * ```
 */
export class Peer {
  readonly #clientOptions: SignallingClientOptions;
  readonly #createPc: RTCPeerConnectionFactory;
  readonly #log: Logger;
  readonly #events: Emitter<PeerEvents>;
  readonly #session = randomSession();
  readonly #local = new LocalMedia();
  readonly #remotes = new Map<string, RemotePeer>();
  /** PeerIds present in the room by the latest presence frames. */
  readonly #present = new Set<string>();
  readonly #port: RemotePeerPort;
  #client: SignallingClient;
  #clientListeners: (() => void)[] = [];
  #state: PeerState = "idle";
  #channel: string | null = null;
  #epoch = 0;
  /** After a signalling reconnect, the next presence frame of the room is the snapshot to reconcile with. */
  #awaitingSnapshot = false;
  /** Remotes absent from the post-reconnect snapshot, and the timers that drop them. */
  readonly #grace = new Map<string, ReturnType<typeof setTimeout>>();
  #joining: Promise<void> | null = null;

  /** Validates `options` (a `TypeError` listing every problem, as `SignallingClient` does); no network yet. */
  constructor(options: PeerOptions) {
    const { rtcPeerConnectionFactory, ...clientOptions } = (options ?? {}) as PeerOptions;
    if (rtcPeerConnectionFactory !== undefined && typeof rtcPeerConnectionFactory !== "function") {
      throw new TypeError("rtcPeerConnectionFactory must be a function");
    }
    this.#clientOptions = clientOptions;
    this.#client = new SignallingClient(clientOptions);
    this.#createPc = rtcPeerConnectionFactory ?? defaultPeerConnectionFactory();
    this.#log = safeLogger(clientOptions.logger ?? NoopLogger);
    this.#events = new Emitter((event, error) =>
      this.#log.error("peer listener threw", { event: String(event), error }),
    );
    this.#port = {
      session: this.#session,
      log: this.#log,
      localMedia: this.#local,
      createConnection: () => this.#newConnection(),
      nextEpoch: () => ++this.#epoch,
      sendSignal: (remote, signal) => this.#sendSignal(remote, signal),
      onChannelData: (remote, data) =>
        this.#events.emit("data", { senderPeerId: remote.id, data, kind: "direct", via: "data-channel" }),
      onGaveUp: (remote) => {
        if (!this.#present.has(remote.id)) this.#removeRemote(remote.id, "recovery gave up");
      },
    };
  }

  get state(): PeerState {
    return this.#state;
  }

  /** This peer's peerId on the current connection (`null` before `join()`; changes per connection with publishable keys). */
  get peerId(): string | null {
    return this.#client.peerId;
  }

  /** The room's channel while joined (`null` when idle). */
  get channel(): string | null {
    return this.#channel;
  }

  /** The remote members known now. */
  get remotePeers(): IterableIterator<RemotePeer> {
    return this.#remotes.values();
  }

  on<K extends keyof PeerEvents>(event: K, listener: Listener<PeerEvents[K]>): () => void {
    return this.#events.on(event, listener);
  }

  once<K extends keyof PeerEvents>(event: K, listener: Listener<PeerEvents[K]>): () => void {
    return this.#events.once(event, listener);
  }

  off<K extends keyof PeerEvents>(event: K, listener: Listener<PeerEvents[K]>): void {
    this.#events.off(event, listener);
  }

  /**
   * Joins the room `channel`: connects, subscribes, and connects to every member found in presence
   * (and later arrivals). Resolves once subscribed; pairs connect on their own afterwards
   * (`peer-joined`, then the RemotePeer's `state-change` → `connected`). Rejects with
   * `PeerStateError` unless `idle`, `PeerSendError('reserved_channel' | 'invalid_args')` for a bad
   * channel, `PeerJoinError('send_not_permitted')` when the key or token lacks the `send` action,
   * and `PeerJoinError('join_failed')` (with `cause`) when connecting or subscribing fails.
   */
  join(channel: string): Promise<void> {
    if (this.#state !== "idle") return Promise.reject(new PeerStateError("join", this.#state));
    const refused = channelProblem(channel);
    if (refused !== null) return Promise.reject(toPeerSendError(refused));
    this.#channel = channel;
    this.#setState("joining", "join() called");
    const joining = this.#join(channel);
    this.#joining = joining;
    return joining.finally(() => {
      if (this.#joining === joining) this.#joining = null;
    });
  }

  /**
   * Leaves the room: tells every remote (`bye`), closes every peer connection, unsubscribes and
   * disconnects. The instance goes back to `idle`, ready for another `join()`; local media stays
   * attached for it. A no-op when `idle`.
   */
  async leave(): Promise<void> {
    if (this.#joining !== null) await this.#joining.catch(() => {});
    if (this.#state === "idle") return;
    if (this.#state === "closed" || this.#state === "leaving") throw new PeerStateError("leave", this.#state);
    this.#setState("leaving", "leave() called");
    await this.#teardown("left the room", true);
    this.#setState("idle", "left");
  }

  /** Leaves (when in a room) and ends the instance for good. Local tracks are not stopped. */
  async close(): Promise<void> {
    if (this.#state === "closed") return;
    if (this.#joining !== null) await this.#joining.catch(() => {});
    if (this.#state === "joined" || this.#state === "reconnecting") {
      this.#setState("leaving", "close() called");
      await this.#teardown("peer closed", true);
    }
    this.#detachClient();
    await this.#client.close();
    this.#setState("closed", "close() called");
  }

  // ---- media ----

  /** Sends `stream` (all its tracks now) to every current and future remote; `metadata` reaches them before the media. */
  addStream(stream: MediaStreamLike, metadata: JsonObject = {}): void {
    this.#assertOpen("addStream");
    assertStream(stream);
    assertMetadata(metadata);
    this.#local.addStream(stream, metadata);
    this.#syncMedia();
  }

  /** Stops sending every track of `stream`. */
  removeStream(stream: MediaStreamLike): void {
    this.#assertOpen("removeStream");
    if (this.#local.removeStream(stream)) this.#syncMedia();
  }

  /** Sends `track` as part of `stream` (metadata as for `addStream`; kept when omitted). */
  addTrack(track: MediaStreamTrackLike, stream: MediaStreamLike, metadata?: JsonObject): void {
    this.#assertOpen("addTrack");
    assertStream(stream);
    if (metadata !== undefined) assertMetadata(metadata);
    this.#local.addTrack(track, stream, metadata);
    this.#syncMedia();
  }

  /** Stops sending `track`. */
  removeTrack(track: MediaStreamTrackLike): void {
    this.#assertOpen("removeTrack");
    if (this.#local.removeTrack(track)) this.#syncMedia();
  }

  /**
   * Sends `newTrack` instead of `oldTrack` on every connection, without renegotiating. Rejects with
   * `ReplaceTrackError {succeeded, failed}` when some connections refused (the local model then
   * keeps `newTrack`, which fresh connections send).
   */
  async replaceTrack(oldTrack: MediaStreamTrackLike, newTrack: MediaStreamTrackLike): Promise<void> {
    this.#assertOpen("replaceTrack");
    if (!this.#local.replaceTrack(oldTrack, newTrack)) {
      throw new PeerSendError("invalid_args", "oldTrack is not being sent (addStream or addTrack it first)");
    }
    const remotes = [...this.#remotes.values()];
    const results = await Promise.allSettled(remotes.map((r) => r.replaceTrack(oldTrack, newTrack)));
    const succeeded: string[] = [];
    const failed: ReplaceTrackFailure[] = [];
    results.forEach((result, i) => {
      const peerId = (remotes[i] as RemotePeer).id;
      if (result.status === "fulfilled") succeeded.push(peerId);
      else failed.push({ peerId, error: result.reason });
    });
    if (failed.length > 0) throw new ReplaceTrackError(succeeded, failed);
  }

  // ---- messages ----

  /** Publishes `data` to the room over the server: every other member gets `data` with `kind: 'broadcast'`. */
  send(data: Json): Promise<void> {
    const refused = this.#sendProblem(data);
    if (refused !== null) return Promise.reject(refused);
    return this.#client.publish(this.#channel as string, data);
  }

  /** Sends `data` to one member over the server (`kind: 'direct'` there). Resolves on the server's ack. */
  sendTo(peerId: string, data: Json): Promise<void> {
    const refused =
      this.#sendProblem(data) ??
      (typeof peerId !== "string" || peerId === ""
        ? new PeerSendError("invalid_args", "peerId must be a non-empty string")
        : null);
    if (refused !== null) return Promise.reject(refused);
    return this.#client.send(peerId, data);
  }

  // ---- joining and leaving ----

  async #join(channel: string): Promise<void> {
    this.#attachClient(this.#client);
    try {
      await this.#client.connect();
      await this.#client.subscribe(channel);
      await this.#checkSendPermission();
    } catch (error) {
      await this.#abandonClient();
      this.#channel = null;
      if (this.#state === "joining") this.#setState("idle", "join failed");
      if (error instanceof PeerJoinError) throw error;
      throw new PeerJoinError("join_failed", "could not join the room", { cause: error });
    }
    if (this.#state !== "joining") return; // close() meanwhile
    this.#setState("joined", "subscribed");
    this.#events.emit("joined", { peerId: this.#client.peerId as string, channel });
  }

  /**
   * Calls need `send`: without it every signal would be refused and no pair would ever connect.
   * A `send` to a peerId no one has is answered `action_not_permitted` without the action and
   * `peer_not_found` with it, and costs no message quota either way.
   */
  async #checkSendPermission(): Promise<void> {
    try {
      await this.#client.send(PERMISSION_PROBE_PEER, { $sb: 0 });
    } catch (error) {
      if (error instanceof ServerRequestError && error.code === ErrorCode.ActionNotPermitted) {
        throw new PeerJoinError(
          "send_not_permitted",
          "this key or token lacks the `send` action, which calls need to signal: add `send` to the publishable key's actions or the token's permissions",
          { cause: error },
        );
      }
      if (error instanceof ServerRequestError && error.code === ErrorCode.PeerNotFound) return;
      throw error;
    }
  }

  /** Says `bye`, closes every remote, unsubscribes, and swaps in a fresh idle client. */
  async #teardown(reason: string, sayBye: boolean): Promise<void> {
    const remotes = [...this.#remotes.values()];
    if (sayBye && this.#client.state === "connected") {
      const byes = remotes.map((r) => {
        const signal = { kind: "bye", session: this.#session, epoch: 0 } as Signal;
        if (r.session !== null) signal.to = r.session;
        return this.#client.send(r.id, encodeSignal(signal)).catch(() => {});
      });
      await Promise.race([Promise.all(byes), delay(BYE_WAIT_MS)]);
    }
    for (const remote of remotes) this.#removeRemote(remote.id, reason);
    this.#present.clear();
    const channel = this.#channel;
    if (channel !== null && this.#client.state === "connected") {
      await Promise.race([this.#client.unsubscribe(channel).catch(() => {}), delay(BYE_WAIT_MS)]);
    }
    await this.#abandonClient();
    this.#channel = null;
    this.#awaitingSnapshot = false;
    if (channel !== null) this.#events.emit("left", { channel });
  }

  /** Closes the current client and prepares a fresh one for the next `join()` (a closed client is final). */
  async #abandonClient(): Promise<void> {
    const old = this.#client;
    this.#detachClient();
    this.#client = new SignallingClient(this.#clientOptions);
    await old.close();
  }

  // ---- signalling events ----

  #attachClient(client: SignallingClient): void {
    this.#detachClient();
    this.#clientListeners = [
      client.on("presence", (ev) => this.#onPresence(ev)),
      client.on("direct", ({ from, data, fromMetadata }) => this.#onDirect(from, data, fromMetadata)),
      client.on("message", ({ channel, from, data }) => {
        if (channel === this.#channel && this.#inRoom()) {
          this.#events.emit("data", { senderPeerId: from, data, kind: "broadcast", via: "server" });
        }
      }),
      client.on("state-change", ({ to }) => {
        if (to === "reconnecting" && this.#state === "joined")
          this.#setState("reconnecting", "signalling dropped");
      }),
      client.on("connected", ({ isReconnect }) => {
        if (isReconnect && this.#inRoom()) this.#reconcileConnections();
      }),
      client.on("token-provider-error", (ev) => this.#events.emit("token-provider-error", ev)),
      client.on("error", ({ error }) => this.#onClientGaveUp(error)),
    ];
  }

  #detachClient(): void {
    for (const off of this.#clientListeners) off();
    this.#clientListeners = [];
  }

  /** The signalling client closed on its own (a terminal close code, or attempts exhausted). */
  #onClientGaveUp(error: Error): void {
    // While joining, `join()` itself reports the failure.
    if (this.#state !== "joined" && this.#state !== "reconnecting") return;
    this.#log.error("signalling gave up; leaving the room", { error: error.name });
    this.#events.emit("error", { error });
    void this.#teardown("signalling closed", false).then(() => {
      if (this.#state === "joined" || this.#state === "reconnecting")
        this.#setState("idle", "signalling closed");
    });
  }

  /** After a signalling reconnect: fresh connections for everyone (new ICE servers, maybe a new peerId). */
  #reconcileConnections(): void {
    this.#awaitingSnapshot = true;
    const self = this.#client.peerId as string;
    for (const remote of this.#remotes.values()) {
      if (remote.state === "closed") continue;
      remote.reset("signalling reconnected", self < remote.id);
    }
  }

  #onPresence({ channel, joined, left }: PresenceEvent): void {
    if (channel !== this.#channel || !this.#inRoom()) return;
    const self = this.#client.peerId;
    if (this.#awaitingSnapshot) {
      // The first presence frame after a reconnect is the room as it is now.
      this.#awaitingSnapshot = false;
      const now = new Set(joined.map((m) => m.peerId));
      this.#present.clear();
      for (const id of this.#remotes.keys()) if (!now.has(id)) this.#startGrace(id);
      if (this.#state === "reconnecting") this.#setState("joined", "reconnected");
    }
    for (const { peerId } of left) {
      this.#present.delete(peerId);
      this.#removeRemote(peerId, "left the room");
    }
    for (const { peerId, metadata } of joined) {
      if (peerId === self) continue;
      this.#present.add(peerId);
      this.#endGrace(peerId);
      const known = this.#remotes.get(peerId);
      if (known !== undefined && known.state !== "closed") {
        known.updateMetadata(metadata ?? {});
        // It is (back) on the server: what we sent while it was not may need sending again.
        known.reachable();
      } else this.#addRemote(peerId, metadata ?? {});
    }
  }

  #onDirect(from: string, data: Json, fromMetadata: JsonObject | undefined): void {
    if (!this.#inRoom()) return;
    const decoded = decodeSignal(data);
    if (decoded.type === "data") {
      this.#events.emit("data", { senderPeerId: from, data, kind: "direct", via: "server" });
      return;
    }
    if (decoded.type === "malformed") {
      this.#log.debug("malformed signal dropped");
      return;
    }
    const { signal } = decoded;
    if (signal.session === this.#session || (signal.to !== undefined && signal.to !== this.#session)) return;
    let remote = this.#remotes.get(from);
    if (signal.kind === "bye") {
      if (remote !== undefined && (remote.session === null || remote.session === signal.session)) {
        this.#removeRemote(from, "said bye");
      }
      return;
    }
    const opens =
      signal.kind === "hello" ||
      signal.kind === "streams" ||
      (signal.kind === "description" && signal.description.type === "offer");
    if ((remote === undefined || remote.state === "closed") && opens && from !== this.#client.peerId) {
      // The same instance under a new peerId (publishable keys get one per connection): the old one is gone.
      for (const other of [...this.#remotes.values()]) {
        if (other.session === signal.session) this.#removeRemote(other.id, "reconnected as another peerId");
      }
      // Signals may outrun presence (presence is coalesced): an offer or hello introduces its sender.
      remote = this.#addRemote(from, fromMetadata ?? {});
    }
    remote?.handleSignal(signal);
  }

  // ---- remotes ----

  #addRemote(peerId: string, metadata: JsonObject): RemotePeer {
    const previous = this.#remotes.get(peerId);
    if (previous !== undefined) this.#removeRemote(peerId, "replaced");
    const self = this.#client.peerId as string;
    const remote = new RemotePeer(peerId, metadata, self < peerId, this.#port);
    this.#remotes.set(peerId, remote);
    this.#log.debug("remote peer joined", { peerId });
    // Listeners attach in `peer-joined`, before the connection produces any event.
    this.#events.emit("peer-joined", { peer: remote });
    if (this.#remotes.get(peerId) === remote) remote.start();
    return remote;
  }

  #startGrace(peerId: string): void {
    if (this.#grace.has(peerId)) return;
    const timer = setTimeout(() => {
      this.#grace.delete(peerId);
      if (!this.#present.has(peerId)) this.#removeRemote(peerId, "did not come back after a reconnect");
    }, RECONNECT_GRACE_MS);
    this.#grace.set(peerId, timer);
  }

  #endGrace(peerId: string): void {
    clearTimeout(this.#grace.get(peerId));
    this.#grace.delete(peerId);
  }

  #removeRemote(peerId: string, reason: string): void {
    this.#endGrace(peerId);
    const remote = this.#remotes.get(peerId);
    if (remote === undefined) return;
    this.#remotes.delete(peerId);
    remote.close(reason);
    this.#events.emit("peer-left", { peer: remote });
  }

  #syncMedia(): void {
    for (const remote of this.#remotes.values()) remote.syncLocalMedia();
  }

  #newConnection(): RTCPeerConnectionLike {
    return this.#createPc({ iceServers: this.#client.iceServers });
  }

  #sendSignal(remote: RemotePeer, signal: Signal): void {
    if (this.#client.state !== "connected") return; // reconcile after the reconnect resends what matters
    this.#client.send(remote.id, encodeSignal(signal)).catch((error: unknown) => {
      if (error instanceof ServerRequestError && error.code === ErrorCode.PeerNotFound) {
        // Not on the server (yet): it is re-sent when presence says the remote is there.
        remote.signalLost();
        return;
      }
      if (error instanceof ServerRequestError && error.code === ErrorCode.ActionNotPermitted) {
        this.#events.emit("error", {
          error: new PeerJoinError(
            "send_not_permitted",
            "this key or token lacks the `send` action, which calls need to signal",
            { cause: error },
          ),
        });
        return;
      }
      this.#log.debug("signal not delivered", {
        kind: signal.kind,
        error: error instanceof Error ? error.name : "",
      });
    });
  }

  // ---- helpers ----

  #inRoom(): boolean {
    return this.#state === "joined" || this.#state === "reconnecting" || this.#state === "joining";
  }

  #sendProblem(data: unknown): PeerSendError | null {
    if (this.#state !== "joined" && this.#state !== "reconnecting") {
      return new PeerSendError("not_joined", "join() a room first");
    }
    if (data === undefined || typeof data === "function" || typeof data === "symbol") {
      return new PeerSendError("invalid_args", "data must be a JSON value");
    }
    if (typeof data === "object" && data !== null && Object.hasOwn(data, "$sb")) {
      return new PeerSendError("invalid_args", "the `$sb` key is reserved for the SDK's signals");
    }
    return null;
  }

  #assertOpen(method: string): void {
    if (this.#state === "closed") throw new PeerStateError(method, this.#state);
  }

  #setState(next: PeerState, reason: string): void {
    const from = this.#state;
    if (from === next) return;
    if (!PEER_TRANSITIONS[from].includes(next)) throw new Error(`Peer bug: no transition ${from} → ${next}`);
    this.#state = next;
    this.#log.debug("peer state change", { from, to: next, reason });
    this.#events.emit("state-change", { from, to: next, reason });
  }
}

function toPeerSendError(error: SendError): PeerSendError {
  return new PeerSendError(
    error.code === "reserved_channel" ? "reserved_channel" : "invalid_args",
    error.message,
  );
}

function assertStream(stream: unknown): void {
  const s = stream as MediaStreamLike | null;
  if (typeof s !== "object" || s === null || typeof s.id !== "string" || typeof s.getTracks !== "function") {
    throw new TypeError("stream must be a MediaStream");
  }
}

function assertMetadata(metadata: unknown): void {
  const problem = streamMetadataProblem(metadata);
  if (problem !== null) throw new TypeError(problem);
}

function randomSession(): string {
  const bytes = new Uint8Array(12);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
