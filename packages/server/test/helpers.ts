/**
 * Helpers for the server integration tests: a real server on port 0 over a fresh SQLite data dir,
 * real `ws` clients, JWTs signed with `jose`. Every wait has a timeout so a missing frame fails the
 * test instead of hanging it; "nothing else arrived" is checked with {@link Client.quiet} (a `ping`
 * whose `pong` must be the very next frame — order on one connection is guaranteed), never a sleep.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import type { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer, openSqliteStore } from "@switchboard/server";
import { CompactSign } from "jose";
import pino from "pino";
import { expect } from "vitest";
import WebSocket from "ws";

export type Store = Awaited<ReturnType<typeof openSqliteStore>>["store"];
export type ServerConfig = NonNullable<Parameters<typeof createServer>[0]>;
export type ServerDeps = Parameters<typeof createServer>[1];
export type AppRecord = Awaited<ReturnType<Store["defaultApp"]>>;
export type NewKeyInput = Parameters<Store["createKey"]>[0];
export type KeyOptions = Partial<Omit<NewKeyInput, "type">>;
export type AppPlanInput = NonNullable<Parameters<Store["createApp"]>[0]["plan"]>;
export type Action = "subscribe" | "publish" | "presence" | "send";

/** A JSON frame as the client received it. */
export type Frame = { type: string } & Record<string, unknown>;

/** How a socket ended: a WebSocket close, or an HTTP answer instead of the upgrade. */
export interface Closed {
  code: number;
  reason: string;
  /** `Date.now()` when the client saw it. */
  at: number;
  /** Set when the server answered the upgrade request with plain HTTP. */
  httpStatus?: number;
}

export const DEFAULT_TIMEOUT_MS = 3_000;
export const ALL_ACTIONS: Action[] = ["subscribe", "publish", "presence", "send"];
export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const nowSec = (): number => Math.floor(Date.now() / 1000);
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
export const uniq = (prefix = "x"): string => `${prefix}-${randomBytes(4).toString("hex")}`;

/** Credentials of a connection: `{key}` / `{token}` build the `/v1` query; `{query}` is used raw. */
export type Auth = { key: string } | { token: string } | { query: string };

function queryOf(auth: Auth): string {
  if ("key" in auth) return `key=${encodeURIComponent(auth.key)}`;
  if ("token" in auth) return `token=${encodeURIComponent(auth.token)}`;
  return auth.query;
}

let requestCounter = 0;
/** A fresh requestId. */
export const rid = (): string => `r${++requestCounter}`;

/**
 * One WebSocket client. Frames are queued as they arrive and taken in order with {@link next}.
 */
export class Client {
  readonly ws: WebSocket;
  /** Frames received and not yet taken. */
  readonly queue: Frame[] = [];
  /** Number of frames received so far. */
  received = 0;
  /** WebSocket pings seen from the server. */
  pings = 0;
  closeInfo: Closed | undefined;
  readonly closed: Promise<Closed>;
  /** Resolves on `open`, rejects if the socket ends first. */
  readonly opened: Promise<void>;
  welcome: Frame | undefined;
  /**
   * The server's close frame, as soon as it is read: the close code a client learns, even while the
   * TCP close (and so the `close` event) is still pending.
   */
  closeFrame: Closed | undefined;
  /** Resolves with {@link closeFrame}, or with the `close` event if the socket ended without one. */
  readonly closeSeen: Promise<Closed>;
  private waiter: (() => void) | undefined;

  constructor(url: string, options: WebSocket.ClientOptions = {}) {
    this.ws = new WebSocket(url, { handshakeTimeout: 5_000, ...options });
    let resolveClosed!: (closed: Closed) => void;
    this.closed = new Promise((resolve) => {
      resolveClosed = resolve;
    });
    const finish = (closed: Closed): void => {
      if (this.closeInfo) return;
      this.closeInfo = closed;
      resolveClosed(closed);
      this.wake();
    };
    this.opened = new Promise((resolve, reject) => {
      this.ws.once("open", () => resolve());
      void this.closed.then((c) => reject(new Error(`socket ended before open: ${describe(c)}`)));
    });
    this.opened.catch(() => {});
    let resolveCloseSeen!: (closed: Closed) => void;
    this.closeSeen = new Promise((resolve) => {
      resolveCloseSeen = resolve;
    });
    void this.closed.then(resolveCloseSeen);
    this.ws.once("open", () => {
      // ws has no public event for "close frame received"; its receiver emits `conclude` then.
      const receiver = (this.ws as unknown as { _receiver?: NodeJS.EventEmitter })._receiver;
      receiver?.on("conclude", (code: number, reason: Buffer) => {
        this.closeFrame ??= { code, reason: reason.toString(), at: Date.now() };
        resolveCloseSeen(this.closeFrame);
        this.wake();
      });
    });
    this.ws.on("message", (data, isBinary) => {
      this.received++;
      const text = Array.isArray(data)
        ? Buffer.concat(data).toString()
        : Buffer.from(data as ArrayBuffer).toString();
      let frame: Frame;
      try {
        const parsed: unknown = JSON.parse(text);
        frame =
          parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) && "type" in parsed
            ? (parsed as Frame)
            : { type: "<not a frame>", raw: text };
      } catch {
        frame = { type: "<not JSON>", raw: text.slice(0, 200) };
      }
      if (isBinary) frame = { type: "<binary>", raw: text.slice(0, 200) };
      this.queue.push(frame);
      this.wake();
    });
    this.ws.on("ping", () => {
      this.pings++;
    });
    this.ws.on("close", (code, reason) => finish({ code, reason: reason.toString(), at: Date.now() }));
    this.ws.on("unexpected-response", (req, res) => {
      finish({ code: 0, reason: `HTTP ${res.statusCode}`, at: Date.now(), httpStatus: res.statusCode ?? 0 });
      res.resume();
      req.destroy();
    });
    this.ws.on("error", (err) => {
      // A socket error is always followed by `close` (or nothing, for a refused upgrade handled above).
      if (!this.closeInfo && this.ws.readyState === WebSocket.CONNECTING) {
        finish({ code: -1, reason: `error: ${err.message}`, at: Date.now() });
      }
    });
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }

  /** Sends one frame as JSON text. */
  send(frame: unknown): void {
    this.ws.send(JSON.stringify(frame));
  }

  /** Sends raw text (or binary when `binary`). */
  sendRaw(data: string | Buffer, binary = false): void {
    this.ws.send(data, { binary });
  }

  /** The next frame; rejects if none arrives within `timeoutMs` or the socket closes first. */
  async next(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const frame = this.queue.shift();
      if (frame) return frame;
      const ended = this.closeInfo ?? this.closeFrame;
      if (ended) throw new Error(`socket closed while waiting for a frame: ${describe(ended)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no frame within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Takes `n` frames. */
  async take(n: number, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Frame[]> {
    const frames: Frame[] = [];
    for (let i = 0; i < n; i++) frames.push(await this.next(timeoutMs));
    return frames;
  }

  /** Asserts that no frame is pending or arrives before the answer to a fresh `ping`. */
  async quiet(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
    const requestId = rid();
    this.send({ type: "ping", requestId });
    expect(await this.next(timeoutMs)).toEqual({ type: "pong", requestId });
  }

  /** Sends `frame` with a fresh requestId and returns the next frame. */
  async request(frame: Record<string, unknown>, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Frame> {
    const requestId = rid();
    this.send({ ...frame, requestId });
    const reply = await this.next(timeoutMs);
    return reply;
  }

  /** Sends `frame` with a fresh requestId and asserts the next frame is its `ack`. */
  async ok(frame: Record<string, unknown>): Promise<void> {
    const requestId = rid();
    this.send({ ...frame, requestId });
    expect(await this.next()).toEqual({ type: "ack", requestId });
  }

  /** Sends `frame` with a fresh requestId and asserts the next frame is an `error` with `code`. */
  async fails(frame: Record<string, unknown>, code: string): Promise<void> {
    const requestId = rid();
    this.send({ ...frame, requestId });
    expect(await this.next()).toEqual({ type: "error", code, message: expect.any(String), requestId });
  }

  /**
   * Subscribes with a requestId: asserts the `ack`, then (unless `snapshot: false`) the presence
   * snapshot of `channel`, which is returned.
   */
  async subscribe(
    channel: string,
    options: { includeSenderMetadata?: boolean; snapshot?: boolean } = {},
  ): Promise<Frame | undefined> {
    const frame: Record<string, unknown> = { type: "subscribe", channel };
    if (options.includeSenderMetadata !== undefined)
      frame.includeSenderMetadata = options.includeSenderMetadata;
    await this.ok(frame);
    if (options.snapshot === false) return undefined;
    const snapshot = await this.next();
    expect(snapshot).toMatchObject({ type: "presence", channel, left: [] });
    return snapshot;
  }

  /** Publishes with a requestId and asserts the `ack`. */
  async publish(channel: string, data: unknown): Promise<void> {
    await this.ok({ type: "publish", channel, data });
  }

  /** Waits for the server's close frame (or the close, or an HTTP refusal): the close code. */
  async waitCloseFrame(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Closed> {
    return withTimeout(this.closeSeen, timeoutMs, "no close frame");
  }

  /** Waits for the close (or HTTP refusal). */
  async waitClose(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Closed> {
    return withTimeout(this.closed, timeoutMs, "socket did not close");
  }

  /** Stops reading from the TCP socket (the server's writes pile up). */
  pauseReading(): void {
    (this.ws as unknown as { _socket: Socket })._socket.pause();
  }

  resumeReading(): void {
    (this.ws as unknown as { _socket: Socket })._socket.resume();
  }

  /** Closes without waiting for anything; safe to call twice. */
  terminate(): void {
    if (this.ws.readyState !== WebSocket.CLOSED) this.ws.terminate();
  }

  /** Closes with a close handshake and waits for it. */
  async close(): Promise<Closed> {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close(1000);
    return this.waitClose();
  }
}

function describe(closed: Closed): string {
  return closed.httpStatus !== undefined
    ? `HTTP ${closed.httpStatus}`
    : `close ${closed.code} ${closed.reason}`;
}

export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = DEFAULT_TIMEOUT_MS,
  stepMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${last}` : ""}`);
    await sleep(stepMs);
  }
}

// ---------------------------------------------------------------------------------------------
// JWTs

/** A secret key: its id (the JWT `kid`) and its signing secret. */
export interface SecretKey {
  id: string;
  secret: string;
}

export type Claims = Record<string, unknown>;

const b64url = (value: string | Buffer): string => Buffer.from(value).toString("base64url");

/**
 * Signs a JWT with `key`. Defaults: `sub` a fresh id, `exp` in one hour, `channels: ["**"]`,
 * all four permissions. A claim set to `undefined` is left out. `header.kid: null` leaves out `kid`;
 * `header.alg` picks another HMAC algorithm.
 */
export async function signToken(
  key: SecretKey,
  claims: Claims = {},
  header: { alg?: string; kid?: unknown } = {},
): Promise<string> {
  const payload = {
    sub: uniq("peer"),
    exp: nowSec() + 3600,
    channels: ["**"],
    permissions: ALL_ACTIONS,
    ...claims,
  };
  return signPayload(key, JSON.stringify(payload), header);
}

/** Signs arbitrary payload bytes (possibly not JSON) as a compact JWS. */
export async function signPayload(
  key: SecretKey,
  payload: string,
  header: { alg?: string; kid?: unknown } = {},
): Promise<string> {
  const protectedHeader: Record<string, unknown> = { alg: header.alg ?? "HS256", typ: "JWT" };
  const kid = "kid" in header ? header.kid : key.id;
  if (kid !== null && kid !== undefined) protectedHeader.kid = kid;
  return new CompactSign(new TextEncoder().encode(payload))
    .setProtectedHeader(protectedHeader as { alg: string })
    .sign(new TextEncoder().encode(key.secret));
}

/** An unsigned JWT (`alg: none`), which the server must refuse. */
export function unsignedToken(key: SecretKey, claims: Claims = {}): string {
  const payload = {
    sub: uniq("peer"),
    exp: nowSec() + 3600,
    channels: ["**"],
    permissions: ALL_ACTIONS,
    ...claims,
  };
  return `${b64url(JSON.stringify({ alg: "none", typ: "JWT", kid: key.id }))}.${b64url(JSON.stringify(payload))}.`;
}

// ---------------------------------------------------------------------------------------------
// Server

export interface TestServer {
  /** `ws://host:port/v1` */
  url: string;
  /** `http://host:port` */
  httpUrl: string;
  host: string;
  port: number;
  store: Store;
  dataDir: string;
  /** The default app of the fresh data dir. */
  app: AppRecord;
  /** A secret key (all defaults) of the default app. */
  sk: SecretKey;
  /** A publishable key (all defaults) of the default app. */
  pk: string;
  server: ReturnType<typeof createServer>;
  /** Opens a client (does not wait for anything). */
  client(auth: Auth, options?: WebSocket.ClientOptions & { path?: string }): Client;
  /** Opens a client and waits for `welcome` (asserting it is the first frame). */
  connect(auth: Auth, options?: WebSocket.ClientOptions): Promise<Client>;
  /** Signs a token with `key` (default {@link sk}) and connects with it. */
  connectJwt(claims?: Claims, key?: SecretKey, options?: WebSocket.ClientOptions): Promise<Client>;
  /** Connects with a publishable key (default {@link pk}). */
  connectPk(key?: string, options?: WebSocket.ClientOptions): Promise<Client>;
  /**
   * Opens a client that must be closed before any frame; returns the close as soon as the server's
   * close frame arrives (that the TCP close follows promptly is checked separately).
   */
  refused(auth: Auth, options?: WebSocket.ClientOptions & { path?: string }): Promise<Closed>;
  /** HTTP status of an upgrade attempt at `pathAndQuery` (101 when upgraded). */
  upgradeStatus(pathAndQuery: string, options?: WebSocket.ClientOptions): Promise<number>;
  createApp(plan?: AppPlanInput): Promise<AppRecord>;
  /** Creates a publishable key (default app unless `appId`); returns its id. */
  createPk(options?: KeyOptions): Promise<string>;
  createSk(options?: KeyOptions): Promise<SecretKey>;
  /** `server.close()` (graceful shutdown); {@link stop} then skips it. */
  closeServer(): Promise<void>;
  /** Closes every client, the server, the store, and removes the data dir. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Store poll interval (how fast changes by other handles are seen). */
  pollMs?: number;
  /** Dependencies other than the store (e.g. a capturing logger, failing process readers). */
  deps?: Omit<ServerDeps, "store">;
  /** An existing data dir to share (cluster nodes on one store); `stop` then leaves it in place. */
  dataDir?: string;
  /** A store opened elsewhere (PostgreSQL) instead of SQLite in the data dir; `stop` closes it. */
  store?: Store;
}

/**
 * Starts a server on 127.0.0.1:0 over a fresh data dir. Test-friendly defaults: the per-IP connect
 * rate is off and the drain window is 0 (close() closes every client at once); everything else is
 * the server's default unless `config` says otherwise.
 */
export async function startServer(
  config: Partial<ServerConfig> = {},
  options: StartOptions = {},
): Promise<TestServer> {
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), "switchboard-test-")));
  const storeOptions: { dataDir: string; pollMs?: number } = { dataDir };
  if (options.pollMs !== undefined) storeOptions.pollMs = options.pollMs;
  const store = options.store ?? (await openSqliteStore(storeOptions)).store;
  const logger = pino({ level: process.env.SWITCHBOARD_TEST_LOG ?? "silent" });
  const server = createServer(
    { host: "127.0.0.1", port: 0, connectRatePerIp: 0, drainMs: 0, ...config },
    { logger, ...options.deps, store },
  );
  const { host, port } = await server.listen();
  const hostPart = host.includes(":") ? `[${host}]` : host;
  const httpUrl = `http://${hostPart}:${port}`;
  const url = `ws://${hostPart}:${port}/v1`;
  const app = await store.defaultApp();
  const clients = new Set<Client>();
  let serverClosed = false;

  const createPk = async (opts: KeyOptions = {}): Promise<string> => {
    const { key } = await store.createKey({ appId: app.id, ...opts, type: "publishable" });
    return key.id;
  };
  const createSk = async (opts: KeyOptions = {}): Promise<SecretKey> => {
    const { key, secret } = await store.createKey({ appId: app.id, ...opts, type: "secret" });
    if (!secret) throw new Error("createKey returned no secret for a secret key");
    return { id: key.id, secret };
  };
  const sk = await createSk();
  const pk = await createPk();

  const client = (auth: Auth, opts: WebSocket.ClientOptions & { path?: string } = {}): Client => {
    const { path, ...wsOptions } = opts;
    const base = path === undefined ? url : `ws://${hostPart}:${port}${path}`;
    const query = queryOf(auth);
    const c = new Client(query === "" ? base : `${base}?${query}`, wsOptions);
    clients.add(c);
    return c;
  };

  const connect = async (auth: Auth, opts: WebSocket.ClientOptions = {}): Promise<Client> => {
    const c = client(auth, opts);
    const first = await c.next(5_000);
    expect(first).toMatchObject({ type: "welcome" });
    c.welcome = first;
    return c;
  };

  const ts: TestServer = {
    url,
    httpUrl,
    host,
    port,
    store,
    dataDir,
    app,
    sk,
    pk,
    server,
    client,
    connect,
    async connectJwt(claims = {}, key = sk, opts = {}) {
      return connect({ token: await signToken(key, claims) }, opts);
    },
    async connectPk(key = pk, opts = {}) {
      return connect({ key }, opts);
    },
    async refused(auth, opts = {}) {
      const c = client(auth, opts);
      const closed = await c.waitCloseFrame(5_000);
      expect(c.queue, "no frame may arrive before a refusal close").toEqual([]);
      return closed;
    },
    async upgradeStatus(pathAndQuery, opts = {}) {
      const c = new Client(`ws://${hostPart}:${port}${pathAndQuery}`, opts);
      clients.add(c);
      const status = await withTimeout(
        Promise.race([c.opened.then(() => 101), c.closed.then((closed) => closed.httpStatus ?? closed.code)]),
        5_000,
        "no upgrade answer",
      );
      c.terminate();
      return status;
    },
    async createApp(plan) {
      return store.createApp(plan ? { name: uniq("app"), plan } : { name: uniq("app") });
    },
    createPk,
    createSk,
    async closeServer() {
      serverClosed = true;
      await server.close();
    },
    async stop() {
      for (const c of clients) c.terminate();
      if (!serverClosed) {
        serverClosed = true;
        await server.close();
      }
      await store.close();
      if (ownDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
  return ts;
}

/** Builds a peerId that is `n` printable-ASCII bytes long. */
export function asciiOfLength(n: number, seed = "p"): string {
  return (seed + "x".repeat(n)).slice(0, n);
}

/** A stable-ish unique sub for a test peer. */
export const peer = (name: string): string => `${name}-${randomUUID().slice(0, 8)}`;

/** Opens a second store handle on a data dir, as the CLI does while a server runs on it. */
export async function openStoreHandle(dataDir: string): Promise<Store> {
  return (await openSqliteStore({ dataDir })).store;
}
