/**
 * `SignallingClient`: one WebSocket connection to a Switchboard server, kept alive across drops,
 * with pub/sub and direct messages on top. No WebRTC here.
 *
 * Lifecycle in one picture: `connect()` → attempt (tokenProvider, socket) → `welcome` → connected →
 * drop → backoff (reconnect policy) → attempt … → `closed` on `close()`, a terminal close code,
 * exhausted attempts, or any failure with `reconnect: false`.
 */

import { decodeServerFrame, Limits, type ServerFrame } from "@switchboard/protocol";
import { channelProblem, dataProblem } from "./argument-checks.js";
import { Connector, errorName, type Session } from "./connector.js";
import { Emitter, type Listener } from "./emitter.js";
import {
  DisconnectedError,
  OversizedError,
  SendError,
  ServerRequestError,
  SignallingConnectError,
} from "./errors.js";
import { directEvent, messageEvent } from "./frame-events.js";
import { validateIceServers } from "./ice-servers.js";
import { Liveness } from "./liveness.js";
import type { Logger } from "./logger.js";
import { type ResolvedOptions, resolveOptions, type SignallingClientOptions } from "./options.js";
import { type PendingRequest, type RequestFrame, type RequestHandlers, RequestTable } from "./requests.js";
import { type ClientState, canTransition } from "./state.js";
import { type Replay, SubscriptionBook, subscribeFrame } from "./subscription-book.js";
import type {
  DisconnectedEvent,
  IceServer,
  SignallingClientEvents,
  SubscribeOptions,
  WebSocketLike,
} from "./types.js";

type WelcomeFrame = Extract<ServerFrame, { type: "welcome" }>;

const OPEN = 1;
const PING_TEXT = '{"type":"ping"}';
/** Close code/reason the client uses for its own closes. */
const CLIENT_CLOSE_CODE = 1000;
const noop = (): void => {};

/**
 * A realtime pub/sub and direct-message client for one Switchboard app.
 *
 * ```ts
 * const client = new SignallingClient({ url: "wss://rt.example.com", apiKey: "pk_live_…" });
 * client.on("message", ({ channel, data }) => render(channel, data));
 * await client.connect();
 * await client.subscribe("room-42");
 * await client.publish("room-42", { text: "hi" });
 * ```
 *
 * Requests (`subscribe`, `unsubscribe`, `publish`, `send`) resolve on the server's `ack` and reject
 * with `ServerRequestError` (server `error`), `DisconnectedError` (socket dropped first, or the client
 * is closed), `AckTimeoutError` (nothing within `ackTimeoutMs`), `SendError` or `OversizedError`
 * (refused before sending). Requests made before the connection is up (`idle`, `connecting`,
 * `reconnecting`) wait for the next `welcome`, within the same `ackTimeoutMs`.
 */
export class SignallingClient {
  readonly #opts: ResolvedOptions;
  readonly #log: Logger;
  readonly #events: Emitter<SignallingClientEvents>;
  readonly #requests: RequestTable;
  /** Replayed after a reconnect (with `autoResubscribe`). */
  readonly #subscriptions = new SubscriptionBook();

  #state: ClientState = "idle";
  #session: Session | null = null;
  #peerId: string | null = null;
  #iceServers: IceServer[] = [];
  #maxMessageSize: number = Limits.maxFrameBytes;
  #hasConnected = false;
  readonly #connector: Connector;
  readonly #liveness: Liveness;
  #connectWaiters: { resolve: () => void; reject: (error: Error) => void }[] = [];

  /**
   * Validates `options` (throws one `TypeError` listing every problem) and creates an `idle`
   * client. Nothing touches the network before `connect()`.
   */
  constructor(options: SignallingClientOptions) {
    this.#opts = resolveOptions(options);
    this.#log = this.#opts.logger;
    this.#events = new Emitter((event, error) =>
      this.#log.error("event listener threw", { event: String(event), error }),
    );
    this.#requests = new RequestTable(this.#opts.ackTimeoutMs);
    this.#liveness = new Liveness(
      this.#opts.inactivityTimeoutMs,
      () => this.#sendText(PING_TEXT),
      () => this.#onInactive(),
    );
    this.#connector = new Connector(this.#opts, {
      onSocket: (session) => this.#adopt(session),
      releaseSocket: (session) => this.#release(session),
      onAttemptEnded: () => this.#requests.rejectSent((id) => new DisconnectedError(id)),
      onTokenProviderError: (event) => this.#events.emit("token-provider-error", event),
      onRetry: (why, disconnect) => this.#enterReconnecting(why, disconnect),
      onGiveUp: (why, disconnect, error) => this.#enterClosed(why, disconnect, error, true),
    });
  }

  /** Current state: `idle | connecting | connected | reconnecting | closed`. */
  get state(): ClientState {
    return this.#state;
  }

  /** This connection's peerId from the latest `welcome`; `null` before the first one. */
  get peerId(): string | null {
    return this.#peerId;
  }

  /** Validated ICE servers from the latest `welcome` (`[]` when none). A fresh copy each read. */
  get iceServers(): IceServer[] {
    return this.#iceServers.map((s) => ({ ...s, urls: Array.isArray(s.urls) ? [...s.urls] : s.urls }));
  }

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof SignallingClientEvents>(
    event: K,
    listener: Listener<SignallingClientEvents[K]>,
  ): () => void {
    return this.#events.on(event, listener);
  }

  /** Adds a listener called at most once; returns a function that removes it. */
  once<K extends keyof SignallingClientEvents>(
    event: K,
    listener: Listener<SignallingClientEvents[K]>,
  ): () => void {
    return this.#events.once(event, listener);
  }

  /** Removes a listener added with `on` or `once`. */
  off<K extends keyof SignallingClientEvents>(event: K, listener: Listener<SignallingClientEvents[K]>): void {
    this.#events.off(event, listener);
  }

  /**
   * Connects, resolving on the first `welcome` (at once when already connected; on the next
   * `welcome` while reconnecting). Transient failures are retried by the reconnect policy. Rejects
   * with `SignallingConnectError` on a terminal close code, when `reconnect` is `false` and the
   * attempt fails, when attempts are exhausted, on `close()`, and on a client already `closed`.
   */
  connect(): Promise<void> {
    if (this.#state === "closed") {
      return Promise.reject(new SignallingConnectError("client_closed", CLIENT_CLOSE_CODE, ""));
    }
    if (this.#state === "connected") return Promise.resolve();
    const connected = new Promise<void>((resolve, reject) => this.#connectWaiters.push({ resolve, reject }));
    if (this.#state === "idle") {
      this.#setState("connecting", "connect() called");
      this.#connector.start();
    }
    return connected;
  }

  /**
   * Closes the connection for good (no reconnect; the state becomes `closed` and stays so). Pending
   * and queued requests reject with `DisconnectedError`; a pending `connect()` rejects with
   * `SignallingConnectError('client_closed')`. Resolves once everything is released (it does not
   * wait for the server's close handshake).
   */
  close(): Promise<void> {
    if (this.#state === "closed") return Promise.resolve();
    const wasConnected = this.#state === "connected";
    const socket = this.#session?.socket;
    this.#enterClosed(
      "close() called",
      wasConnected ? { code: CLIENT_CLOSE_CODE, reason: "client closed", willReconnect: false } : null,
      new SignallingConnectError("client_closed", CLIENT_CLOSE_CODE, ""),
      false,
    );
    closeQuietly(socket, "client closed");
    return Promise.resolve();
  }

  /**
   * Subscribes to `channel` (a name, or a `*` pattern). Resolves on `ack`; a `presence` snapshot
   * follows for plain names. With `autoResubscribe` the subscription and its options are replayed
   * after every reconnect. Subscribing again updates `includeSenderMetadata`.
   */
  subscribe(channel: string, options: SubscribeOptions = {}): Promise<void> {
    const refused = channelProblem(channel);
    if (refused !== null) return Promise.reject(refused);
    if (typeof options !== "object" || options === null) {
      return Promise.reject(new SendError("invalid_args", "subscribe options must be an object"));
    }
    const include = options.includeSenderMetadata;
    if (include !== undefined && typeof include !== "boolean") {
      return Promise.reject(new SendError("invalid_args", "includeSenderMetadata must be a boolean"));
    }
    const stored: SubscribeOptions = include === undefined ? {} : { includeSenderMetadata: include };
    return this.#request(subscribeFrame(channel, stored), this.#subscriptions.subscribing(channel, stored));
  }

  /**
   * Unsubscribes from `channel` (acked even when not subscribed). It leaves the replay set at once,
   * so a reconnect happening meanwhile does not resubscribe it.
   */
  unsubscribe(channel: string): Promise<void> {
    const refused = channelProblem(channel);
    if (refused !== null) return Promise.reject(refused);
    return this.#request({ type: "unsubscribe", channel }, this.#subscriptions.unsubscribing(channel));
  }

  /**
   * Publishes `data` (any JSON value; not `undefined`) to `channel`. Every subscriber but this
   * socket gets a `message`. Resolves on `ack` (accepted by the server, not delivered).
   */
  publish(channel: string, data: unknown): Promise<void> {
    const refused = dataProblem(data) ?? channelProblem(channel);
    if (refused !== null) return Promise.reject(refused);
    return this.#request({ type: "publish", channel, data });
  }

  /** Sends `data` directly to every socket of `peerId` (a `direct` event there). Resolves on `ack`. */
  send(peerId: string, data: unknown): Promise<void> {
    const refused =
      dataProblem(data) ??
      (typeof peerId !== "string" || peerId === ""
        ? new SendError("invalid_args", "peerId must be a non-empty string")
        : null);
    if (refused !== null) return Promise.reject(refused);
    return this.#request({ type: "send", to: peerId, data });
  }

  // ---- requests ----

  #request(frame: RequestFrame, hooks?: Partial<RequestHandlers>): Promise<void> {
    if (this.#state === "closed") return Promise.reject(new DisconnectedError());
    // The executor runs synchronously; `add` throwing (oversized, not JSON) becomes the rejection.
    return new Promise<void>((resolve, reject) => {
      const request = this.#requests.add(frame, this.#maxMessageSize, {
        ack: () => {
          hooks?.ack?.();
          resolve();
        },
        reject: (error) => {
          hooks?.reject?.(error);
          reject(error);
        },
      });
      if (this.#state === "connected") this.#transmit(request);
    });
  }

  #transmit(request: PendingRequest): void {
    request.sent = true;
    this.#sendText(request.text);
  }

  #sendText(text: string): void {
    const socket = this.#session?.socket;
    if (socket === undefined || socket.readyState !== OPEN) return; // the close handler settles it
    try {
      socket.send(text);
    } catch (error) {
      this.#log.warn("socket send failed", { error: errorName(error) });
    }
  }

  /** After a reconnect: replays every subscription before any queued request goes out. */
  #resubscribe(): void {
    for (const replay of this.#subscriptions.replays()) {
      try {
        const request = this.#requests.add(replay.frame, Number.POSITIVE_INFINITY, {
          ack: noop,
          reject: (error) => this.#resubscribeFailed(replay, error),
        });
        this.#transmit(request);
      } catch (error) {
        this.#log.warn("resubscribe could not be encoded", { error: errorName(error) });
      }
    }
  }

  #resubscribeFailed(replay: Replay, error: Error): void {
    if (!(error instanceof ServerRequestError)) {
      // Dropped or timed out: keep it, the next welcome replays it again.
      this.#log.debug("resubscribe not answered", { error: error.name });
      return;
    }
    // The server refused it (e.g. a fresh token no longer covers the channel): forget it, and say so,
    // since no caller is waiting on this request.
    replay.refused();
    this.#log.warn("resubscribe refused", { code: error.code });
    this.#events.emit("server-error", {
      code: error.code,
      message: error.serverMessage,
      requestId: error.requestId,
    });
  }

  #flushQueue(): void {
    for (const request of this.#requests.queued()) {
      // The new welcome may have lowered the limit since the request was checked.
      if (request.size > this.#maxMessageSize) {
        this.#requests.reject(request.id, new OversizedError(request.size, this.#maxMessageSize));
      } else this.#transmit(request);
    }
  }

  // ---- connection attempts ----

  /** Makes a new attempt's socket the current one. */
  #adopt(session: Session): void {
    this.#session = session;
    const { socket } = session;
    socket.onopen = () => {
      if (this.#session === session) this.#log.debug("socket open");
    };
    socket.onmessage = (ev) => this.#onMessage(session, ev);
    // Error events carry nothing useful (and may carry the URL); the close event follows.
    socket.onerror = () => {
      if (this.#session === session) this.#log.debug("socket error");
    };
    // Armed before open, so a handshake or a welcome that never comes is bounded too.
    this.#liveness.arm();
  }

  /** `session` closed: detaches it if it is still current; false for a stale close. */
  #release(session: Session): boolean {
    if (this.#session !== session) return false;
    this.#detach();
    return true;
  }

  /** Returns false when a listener called `close()` meanwhile. */
  #enterReconnecting(why: string, disconnect: DisconnectedEvent | null): boolean {
    if (this.#state !== "reconnecting") this.#setState("reconnecting", why);
    if (this.#state !== "reconnecting") return false; // a state-change listener called close()
    if (disconnect !== null) this.#events.emit("disconnected", disconnect);
    return this.#state === "reconnecting";
  }

  /** Moves to `closed` and releases everything. `emitError` is false only for `close()`. */
  #enterClosed(
    why: string,
    disconnect: DisconnectedEvent | null,
    error: SignallingConnectError,
    emitError: boolean,
  ): void {
    this.#connector.stop();
    this.#detach();
    this.#setState("closed", why);
    this.#requests.rejectAll((id) => new DisconnectedError(id));
    const waiters = this.#connectWaiters;
    this.#connectWaiters = [];
    for (const waiter of waiters) waiter.reject(error);
    if (disconnect !== null) this.#events.emit("disconnected", disconnect);
    if (emitError) {
      this.#log.error("client closed", { code: error.code, closeCode: error.closeCode });
      this.#events.emit("error", { error });
    }
  }

  /** Forgets the current socket: timers off, handlers neutralised. Returns the socket. */
  #detach(): WebSocketLike | undefined {
    this.#liveness.stop();
    const session = this.#session;
    if (session === null) return undefined;
    this.#session = null;
    const { socket } = session;
    // No-ops rather than null: `ws` throws on an `error` event that nobody listens to.
    socket.onopen = noop;
    socket.onmessage = noop;
    socket.onclose = noop;
    socket.onerror = noop;
    return socket;
  }

  // ---- liveness ----

  #onInactive(): void {
    const session = this.#session;
    if (session === null) return;
    this.#log.warn("no inbound frame within inactivityTimeoutMs; reconnecting", {
      inactivityTimeoutMs: this.#opts.inactivityTimeoutMs,
    });
    this.#detach();
    closeQuietly(session.socket, "inactivity timeout");
    this.#connector.ended({
      welcomed: session.welcomed,
      code: 1006,
      reason: "inactivity timeout",
      closeClass: "backoff",
      why: "inactivity timeout",
    });
  }

  // ---- inbound frames ----

  #onMessage(session: Session, ev: { data: unknown } | undefined): void {
    if (this.#session !== session) return;
    this.#liveness.arm(); // any frame counts as life, even one we cannot parse
    const data = ev?.data;
    if (typeof data !== "string") {
      this.#log.warn("non-text frame dropped");
      return;
    }
    const frame = decodeServerFrame(data);
    if (frame === undefined) {
      this.#log.warn("unparseable frame dropped", { bytes: data.length });
      return;
    }
    try {
      this.#dispatch(session, frame);
    } catch (error) {
      // Never let a frame throw into the socket's callback.
      this.#log.error("frame handling failed", { type: frame.type, error });
    }
  }

  #dispatch(session: Session, frame: ServerFrame): void {
    if (!session.welcomed) {
      if (frame.type === "welcome") this.#onWelcome(session, frame);
      else this.#log.debug("frame before welcome dropped", { type: frame.type });
      return;
    }
    switch (frame.type) {
      case "welcome":
        this.#log.warn("second welcome ignored");
        return;
      case "ack":
        if (!this.#requests.ack(frame.requestId)) this.#log.debug("ack for no pending request");
        return;
      case "error": {
        const { code, message, requestId } = frame;
        if (requestId !== undefined && this.#requests.fail(requestId, code, message)) return;
        this.#log.warn("server error", { code, requestId });
        this.#events.emit(
          "server-error",
          requestId === undefined ? { code, message } : { code, message, requestId },
        );
        return;
      }
      case "message":
        this.#events.emit("message", messageEvent(frame));
        return;
      case "direct":
        this.#events.emit("direct", directEvent(frame));
        return;
      case "presence":
        this.#events.emit("presence", { channel: frame.channel, joined: frame.joined, left: frame.left });
        return;
      case "going_away":
        session.retryAfterMs = frame.retryAfterMs;
        this.#log.info("server going away", { retryAfterMs: frame.retryAfterMs });
        this.#events.emit("going-away", { retryAfterMs: frame.retryAfterMs });
        return;
      case "pong":
        return;
    }
  }

  #onWelcome(session: Session, frame: WelcomeFrame): void {
    session.welcomed = true;
    const isReconnect = this.#hasConnected;
    this.#hasConnected = true;
    this.#peerId = frame.peerId;
    this.#maxMessageSize =
      Number.isSafeInteger(frame.maxMessageSize) && frame.maxMessageSize > 0
        ? frame.maxMessageSize
        : Limits.maxFrameBytes;
    const metadata = frame.metadata;
    this.#iceServers = validateIceServers(
      Object.hasOwn(metadata, "iceServers") ? metadata.iceServers : undefined,
      this.#log,
    );
    this.#connector.connected();
    this.#log.info("connected", { isReconnect, iceServers: this.#iceServers.length });
    // Subscriptions first, then whatever was queued: the server keeps per-connection order.
    if (this.#opts.autoResubscribe) this.#resubscribe();
    else this.#subscriptions.clear();
    this.#flushQueue();
    this.#setState("connected", isReconnect ? "reconnected" : "welcome received");
    if (this.#state !== "connected") return; // a state-change listener called close()
    const waiters = this.#connectWaiters;
    this.#connectWaiters = [];
    for (const waiter of waiters) waiter.resolve();
    this.#events.emit("connected", {
      peerId: frame.peerId,
      serverTime: frame.serverTime,
      expiresAt: frame.expiresAt,
      isReconnect,
      maxMessageSize: this.#maxMessageSize,
      iceServers: this.iceServers,
    });
  }

  #setState(next: ClientState, reason: string): void {
    const from = this.#state;
    if (!canTransition(from, next)) throw new Error(`SignallingClient bug: no transition ${from} → ${next}`);
    this.#state = next;
    this.#log.debug("state change", { from, to: next, reason });
    this.#events.emit("state-change", { from, to: next, reason });
  }
}

function closeQuietly(socket: WebSocketLike | undefined, reason: string): void {
  try {
    socket?.close(CLIENT_CLOSE_CODE, reason);
  } catch {
    // Already closed or closing: nothing left to release.
  }
}
