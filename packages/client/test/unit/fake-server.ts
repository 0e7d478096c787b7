/**
 * A protocol-level fake Switchboard server for the SignallingClient unit tests.
 *
 * `server.factory` is the client's `webSocketFactory`; every call hands out a {@link FakeSocket}.
 * Nothing here uses timers: sockets open, answer and close synchronously or on a microtask, so the
 * tests' fake clock alone decides when backoff, keepalive, watchdog and timeouts fire.
 *
 * By default every connection opens, receives a `welcome`, gets an `ack` for each frame that carries
 * a `requestId` and a `pong` for each `ping`. A test changes that per server (`server.behaviour`,
 * `server.autoAck`, …), per upcoming connection (`server.queue(...)`), or drives a socket by hand
 * (`open()`, `welcome()`, `deliver()`, `serverClose()`, `fail()`).
 *
 * The fake behaves like browsers and `ws` where the SDK could trip over a difference: `send` while
 * CONNECTING throws, `close` with a code other than 1000 or 3000–4999 throws, a client-initiated
 * close is echoed back to `onclose` on a microtask. Each such misuse is also recorded in
 * `server.violations`.
 */
import { afterEach, beforeEach, expect, vi } from "vitest";
import { SignallingClient } from "../../src/index.js";

export const CONNECTING = 0;
export const OPEN = 1;
export const CLOSING = 2;
export const CLOSED = 3;

/** The only WebSocket members the SDK may use (pinned surface). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

/** A frame as the client sent it, parsed. */
export type SentFrame = { type: string; requestId?: string; [key: string]: unknown };

/** What a new connection does by itself. */
export type Behaviour =
  /** open, then `welcome` (the default) */
  | "welcome"
  /** open, never welcome */
  | "open"
  /** never open: `onerror` + `onclose` 1006 (connection refused) */
  | "fail"
  /** stay CONNECTING forever */
  | "hang"
  /** open, then the server closes with this code before any welcome (a handshake rejection) */
  | { close: number; reason?: string };

export interface WelcomeOverrides {
  peerId?: string;
  expiresAt?: number | null;
  serverTime?: number;
  maxMessageSize?: number;
  metadata?: Record<string, unknown>;
}

let socketIds = 0;

export class FakeSocket implements WebSocketLike {
  readyState = CONNECTING;
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;

  readonly id = ++socketIds;
  /** `Date.now()` (the fake clock) when the client created this socket. */
  readonly createdAt = Date.now();
  /** Every frame the client sent while OPEN, parsed, in order. */
  readonly sent: SentFrame[] = [];
  /** Raw texts sent while CLOSING/CLOSED (a real socket drops them). */
  readonly sentAfterClose: string[] = [];
  /** Set when the client called `close()`. */
  closedByClient: { code: number | undefined; reason: string | undefined; at: number } | undefined;
  /** When the socket reached CLOSED, by whichever side. */
  closedAt: number | undefined;
  /** Whether `welcome` has been delivered on this socket. */
  welcomed = false;

  constructor(
    readonly server: FakeServer,
    readonly url: string,
  ) {}

  /** The connect URL, parsed. */
  get parsedUrl(): URL {
    return new URL(this.url);
  }

  /** Frames the client sent, optionally only those of one type. */
  frames(type?: string): SentFrame[] {
    return type === undefined ? [...this.sent] : this.sent.filter((f) => f.type === type);
  }

  /** The last frame of a type the client sent (throws when there is none). */
  lastFrame(type: string): SentFrame {
    const all = this.frames(type);
    const f = all[all.length - 1];
    if (f === undefined) throw new Error(`socket ${this.id}: client sent no ${type} frame`);
    return f;
  }

  // ---- WebSocketLike, called by the SDK ----

  send(data: string): void {
    if (typeof data !== "string") {
      this.server.violation(`socket ${this.id}: send() of a non-string (${typeof data})`);
    }
    if (this.readyState === CONNECTING) {
      this.server.violation(`socket ${this.id}: send() while CONNECTING`);
      throw new Error("InvalidStateError: WebSocket is still CONNECTING");
    }
    if (this.readyState !== OPEN) {
      this.sentAfterClose.push(String(data));
      return;
    }
    let frame: SentFrame;
    try {
      frame = JSON.parse(String(data)) as SentFrame;
    } catch {
      this.server.violation(`socket ${this.id}: sent text that is not JSON`);
      frame = { type: "<not json>", raw: data };
    }
    if (typeof frame !== "object" || frame === null || typeof frame.type !== "string") {
      this.server.violation(`socket ${this.id}: sent a frame without a string type`);
    }
    this.sent.push(frame);
    this.server.handleClientFrame(this, frame);
  }

  close(code?: number, reason?: string): void {
    if (code !== undefined && code !== 1000 && !(code >= 3000 && code <= 4999)) {
      this.server.violation(`socket ${this.id}: close(${code}) with a code a real WebSocket refuses`);
      throw new Error(`InvalidAccessError: close code ${code} is not 1000 or 3000-4999`);
    }
    if (this.readyState === CLOSING || this.readyState === CLOSED) return;
    this.closedByClient = { code, reason, at: Date.now() };
    this.readyState = CLOSING;
    if (this.server.closeHandshake === "never") return; // a frozen peer never completes it
    queueMicrotask(() => this.finishClose(code ?? 1005, reason ?? ""));
  }

  // ---- driven by tests ----

  /**
   * The handshake completes: OPEN + `onopen`, then (on a microtask) `welcome` when `welcome` is true
   * (default: the server's `autoWelcome`).
   */
  open(welcome: boolean = this.server.autoWelcome): void {
    if (this.readyState !== CONNECTING) throw new Error(`test bug: socket ${this.id} is not CONNECTING`);
    this.readyState = OPEN;
    this.onopen?.({ type: "open" });
    if (welcome) queueMicrotask(() => this.readyState === OPEN && !this.welcomed && this.welcome());
  }

  /** Delivers a `welcome` (defaults from the server, then `overrides`). */
  welcome(overrides: WelcomeOverrides = {}): void {
    this.welcomed = true;
    this.deliver(this.server.welcomeFrame(overrides));
  }

  /** Delivers one server frame as JSON text. */
  deliver(frame: Record<string, unknown>): void {
    this.deliverRaw(JSON.stringify(frame));
  }

  /** Delivers anything as `ev.data` (garbage included). */
  deliverRaw(data: unknown): void {
    if (this.readyState !== OPEN) throw new Error(`test bug: deliver on socket ${this.id} that is not OPEN`);
    this.onmessage?.({ data });
  }

  /** The server closes the connection (clean close with a code). */
  serverClose(code: number, reason = ""): void {
    if (this.readyState === CLOSED) throw new Error(`test bug: socket ${this.id} is already CLOSED`);
    this.finishClose(code, reason);
  }

  /** The connection breaks: `onerror`, then `onclose` 1006. */
  fail(): void {
    if (this.readyState === CLOSED) throw new Error(`test bug: socket ${this.id} is already CLOSED`);
    this.readyState = CLOSED;
    this.closedAt = Date.now();
    this.onerror?.({ type: "error" });
    this.onclose?.({ code: 1006, reason: "" });
  }

  /** Completes a close (used for late echoes after `closeHandshake = "never"`). */
  finishClose(code: number, reason: string): void {
    if (this.readyState === CLOSED) return;
    this.readyState = CLOSED;
    this.closedAt = Date.now();
    this.onclose?.({ code, reason });
  }

  get isOpen(): boolean {
    return this.readyState === OPEN;
  }
}

/** A server frame a test wants delivered, or nothing. */
type Answer = Record<string, unknown>[] | undefined;

export class FakeServer {
  readonly sockets: FakeSocket[] = [];
  readonly violations: string[] = [];

  /** What each new connection does unless a queued behaviour is pending. */
  behaviour: Behaviour = "welcome";
  /** Deliver `welcome` right after `open()`. */
  autoWelcome = true;
  /** Answer every frame that has a `requestId` with `ack`. */
  autoAck = true;
  /** Answer every `ping` with `pong`. */
  autoPong = true;
  /** After an acked `subscribe`, send an empty presence snapshot. */
  autoPresence = false;
  /** "echo": a client-initiated close reaches `onclose` on a microtask; "never": it never does. */
  closeHandshake: "echo" | "never" = "echo";
  /** Fields of every welcome (peerId defaults to `peer-<n>`). */
  welcomeDefaults: WelcomeOverrides = {};
  /**
   * Custom answers: return frames to deliver (on a microtask) instead of the automatic ones, or
   * `undefined` to keep the automatic behaviour. `[]` means "no answer".
   */
  answer: ((frame: SentFrame, socket: FakeSocket) => Answer) | undefined;
  /** Called with every new socket, before its behaviour runs. */
  onConnect: ((socket: FakeSocket) => void) | undefined;

  private readonly pending: Behaviour[] = [];
  private welcomes = 0;

  /** The client's `webSocketFactory`. */
  readonly factory = (url: string): WebSocketLike => {
    const socket = new FakeSocket(this, url);
    this.sockets.push(socket);
    this.onConnect?.(socket);
    const behaviour = this.pending.shift() ?? this.behaviour;
    queueMicrotask(() => this.run(socket, behaviour));
    return socket;
  };

  /** Behaviours for the next connections, in order; later ones fall back to `behaviour`. */
  queue(...behaviours: Behaviour[]): void {
    this.pending.push(...behaviours);
  }

  /** The newest socket (throws when none). */
  get last(): FakeSocket {
    const s = this.sockets[this.sockets.length - 1];
    if (s === undefined) throw new Error("the client has opened no socket");
    return s;
  }

  /** Socket number `i` (0-based; throws when missing). */
  socket(i: number): FakeSocket {
    const s = this.sockets[i];
    if (s === undefined)
      throw new Error(`the client has opened ${this.sockets.length} sockets, not ${i + 1}`);
    return s;
  }

  get count(): number {
    return this.sockets.length;
  }

  welcomeFrame(overrides: WelcomeOverrides = {}): Record<string, unknown> {
    this.welcomes++;
    return {
      type: "welcome",
      peerId: `peer-${this.welcomes}`,
      expiresAt: null,
      serverTime: Math.floor(Date.now() / 1000),
      maxMessageSize: 65536,
      metadata: {},
      ...this.welcomeDefaults,
      ...overrides,
    };
  }

  violation(text: string): void {
    this.violations.push(text);
  }

  handleClientFrame(socket: FakeSocket, frame: SentFrame): void {
    const custom = this.answer?.(frame, socket);
    const frames: Record<string, unknown>[] = custom ?? this.autoAnswer(frame);
    if (frames.length === 0) return;
    queueMicrotask(() => {
      for (const f of frames) if (socket.readyState === OPEN) socket.deliver(f);
    });
  }

  private autoAnswer(frame: SentFrame): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    if (frame.type === "ping") {
      if (this.autoPong)
        out.push(
          frame.requestId === undefined ? { type: "pong" } : { type: "pong", requestId: frame.requestId },
        );
      return out;
    }
    if (typeof frame.requestId === "string" && this.autoAck) {
      out.push({ type: "ack", requestId: frame.requestId });
      if (frame.type === "subscribe" && this.autoPresence) {
        out.push({ type: "presence", channel: frame.channel, joined: [], left: [] });
      }
    }
    return out;
  }

  private run(socket: FakeSocket, behaviour: Behaviour): void {
    if (socket.readyState !== CONNECTING) return; // the client gave up on it already
    if (behaviour === "hang") return;
    if (behaviour === "fail") {
      socket.fail();
      return;
    }
    if (behaviour === "welcome") {
      socket.open();
      return;
    }
    socket.open(false);
    if (behaviour === "open") return;
    queueMicrotask(
      () => socket.readyState === OPEN && socket.serverClose(behaviour.close, behaviour.reason ?? ""),
    );
  }
}

// ---- test helpers ----

/** Lets every queued microtask (and chains of them) run; never moves the fake clock. */
export async function flushMicrotasks(rounds = 50): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}

/** Runs whatever is due now (zero-delay timers included) and the microtasks they queue. */
export async function flush(): Promise<void> {
  await flushMicrotasks();
  await vi.advanceTimersByTimeAsync(0);
  await flushMicrotasks();
}

/** Moves the fake clock by `ms`, running timers and microtasks on the way. */
export async function advance(ms: number): Promise<void> {
  await flushMicrotasks();
  await vi.advanceTimersByTimeAsync(ms);
  await flushMicrotasks();
}

/**
 * Runs timers one at a time until the client opens a new socket (beyond `count` sockets), and
 * returns it with how long after `since` it was created. Exact under fake timers: the clock only
 * jumps to the next due timer. Fails after `maxMs` of fake time.
 */
export async function nextSocket(
  server: FakeServer,
  since: number,
  maxMs = 10 * 60_000,
): Promise<{ socket: FakeSocket; delay: number }> {
  const count = server.count;
  await flushMicrotasks();
  for (let guard = 0; server.count === count; guard++) {
    if (Date.now() - since > maxMs || guard > 10_000) {
      throw new Error(`no new socket within ${maxMs} ms (fake time) of ${since}`);
    }
    if (vi.getTimerCount() === 0) throw new Error("no new socket and no timer pending");
    await vi.advanceTimersToNextTimerAsync();
    await flushMicrotasks();
  }
  const socket = server.socket(count); // the first new one, even if more followed at once
  return { socket, delay: socket.createdAt - since };
}

/** A promise's outcome, observed without leaving it unhandled. */
export interface Settled<T> {
  status: "pending" | "resolved" | "rejected";
  value?: T;
  error?: unknown;
}

/** Tracks a promise (or a call that may throw synchronously) so its rejection is never unhandled. */
export function settle<T>(run: Promise<T> | (() => Promise<T>)): Settled<T> {
  const out: Settled<T> = { status: "pending" };
  let p: Promise<T>;
  try {
    p = typeof run === "function" ? run() : run;
  } catch (error) {
    out.status = "rejected";
    out.error = error;
    return out;
  }
  p.then(
    (value) => {
      out.status = "resolved";
      out.value = value;
    },
    (error: unknown) => {
      out.status = "rejected";
      out.error = error;
    },
  );
  return out;
}

export interface LogEntry {
  level: "debug" | "info" | "warn" | "error";
  msg: unknown;
  ctx: unknown;
}

/** A logger that keeps every call. */
export class RecordingLogger {
  readonly entries: LogEntry[] = [];
  debug = (msg: string, ctx?: unknown): void => this.push("debug", msg, ctx);
  info = (msg: string, ctx?: unknown): void => this.push("info", msg, ctx);
  warn = (msg: string, ctx?: unknown): void => this.push("warn", msg, ctx);
  error = (msg: string, ctx?: unknown): void => this.push("error", msg, ctx);

  private push(level: LogEntry["level"], msg: unknown, ctx: unknown): void {
    this.entries.push({ level, msg, ctx });
  }

  /** Everything logged, as one string (messages, contexts, error messages and stacks). */
  text(): string {
    return this.entries.map((e) => `${e.level} ${stringify(e.msg)} ${stringify(e.ctx)}`).join("\n");
  }
}

/** JSON.stringify that also shows Error fields and survives cycles and bigints. */
export function stringify(value: unknown): string {
  const seen = new WeakSet<object>();
  try {
    return (
      JSON.stringify(value, (_key, v: unknown) => {
        if (typeof v === "bigint") return v.toString();
        if (v instanceof Error) {
          return { ...v, name: v.name, message: v.message, stack: v.stack, cause: v.cause };
        }
        if (typeof v === "object" && v !== null) {
          if (seen.has(v)) return "[cycle]";
          seen.add(v);
        }
        return v;
      }) ?? String(value)
    );
  } catch {
    return String(value);
  }
}

/** Every event name of SignallingClient (sdk.md). */
export const EVENT_NAMES = [
  "state-change",
  "connected",
  "disconnected",
  "message",
  "direct",
  "presence",
  "going-away",
  "server-error",
  "token-provider-error",
  "error",
] as const;
export type EventName = (typeof EVENT_NAMES)[number];

// biome-ignore lint/suspicious/noExplicitAny: event contexts are checked field by field in the tests
export type Ctx = Record<string, any>;

export interface RecordedEvent {
  name: EventName;
  ctx: Ctx;
  at: number;
}

interface Emitter {
  on(name: string, handler: (ctx: Ctx) => void): unknown;
}

/** Records every event a client emits, in order. */
export class EventLog {
  readonly all: RecordedEvent[] = [];

  constructor(client: object) {
    const emitter = client as unknown as Emitter;
    for (const name of EVENT_NAMES) {
      emitter.on(name, (ctx: Ctx) => {
        this.all.push({ name, ctx, at: Date.now() });
      });
    }
  }

  of(name: EventName): Ctx[] {
    return this.all.filter((e) => e.name === name).map((e) => e.ctx);
  }

  /** `[from, to]` of every state change. */
  transitions(): [unknown, unknown][] {
    return this.of("state-change").map((c) => [c.from, c.to]);
  }

  /** The sequence of states entered. */
  states(): unknown[] {
    return this.of("state-change").map((c) => c.to);
  }

  clear(): void {
    this.all.length = 0;
  }
}

// ---- the client under test ----

export type ClientOptions = ConstructorParameters<typeof SignallingClient>[0];

/** A publishable key long enough to tell "first 12 characters" from "the whole key". */
export const API_KEY = "pk_live_Q7wErTyUiOpAsDfGhJkL";
/** Fake-clock start: a round unix time in ms. */
export const T0 = 1_700_000_000_000;

export interface Harness {
  client: SignallingClient;
  server: FakeServer;
  logger: RecordingLogger;
  events: EventLog;
}

const servers: FakeServer[] = [];

/**
 * Builds a client against a fresh (or the given) fake server with a recording logger and an event
 * log. Auth defaults to {@link API_KEY} unless `apiKey` or `tokenProvider` is given.
 */
export function makeClient(options: Record<string, unknown> = {}, server = new FakeServer()): Harness {
  servers.push(server);
  const logger = new RecordingLogger();
  const auth = "apiKey" in options || "tokenProvider" in options ? {} : { apiKey: API_KEY };
  const client = new SignallingClient({
    url: "ws://localhost:8080",
    webSocketFactory: server.factory,
    logger,
    ...auth,
    ...options,
  } as unknown as ClientOptions);
  const events = new EventLog(client);
  return { client, server, logger, events };
}

/** Builds a client and connects it (default server behaviour: open + welcome). */
export async function connected(
  options: Record<string, unknown> = {},
  server = new FakeServer(),
): Promise<Harness> {
  const h = makeClient(options, server);
  const p = settle(h.client.connect());
  await flush();
  if (p.status !== "resolved") {
    throw new Error(`connect() did not resolve: ${p.status} ${stringify(p.error)}`);
  }
  return h;
}

/**
 * Installs fake timers (clock at {@link T0}) for every test of the file, and after each test checks
 * that the client never misused a fake socket.
 */
export function useFakeClock(): void {
  beforeEach(() => {
    vi.useFakeTimers({ now: T0 });
    servers.length = 0;
  });
  afterEach(() => {
    const violations = servers.flatMap((s) => s.violations);
    vi.useRealTimers();
    vi.restoreAllMocks();
    expect(violations, "the SDK misused a WebSocket").toEqual([]);
  });
}

/** Stubs Math.random (the jitter source) to always return `value`. */
export function stubRandom(value: number): void {
  vi.spyOn(Math, "random").mockReturnValue(value);
}

/** Fails a socket that has just been created, the way a refused connection does. */
export async function dropConnected(server: FakeServer, how: "fail" | number = "fail"): Promise<number> {
  const s = server.last;
  if (how === "fail") s.fail();
  else s.serverClose(how, `closed ${how}`);
  await flushMicrotasks();
  return Date.now();
}
