/**
 * Helpers for the SDK integration tests: real Switchboard servers (in-process through the server
 * test helpers, or the built CLI as a child process when a test needs SIGSTOP or a restart on the
 * same port), SDK clients whose sockets are built on `ws` and counted, and an event log per client.
 * Every wait has a timeout so a missing event fails the test instead of hanging it. Timing checks
 * are lower bounds with slack only: these tests share a loaded 2-core machine with other suites.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqliteStore } from "@switchboard/server";
import { onTestFailed, onTestFinished } from "vitest";
import WebSocket from "ws";
import { type Served, serve } from "../../../cli/test/helpers.js";
import { SignallingClient } from "../../src/index.js";

export type ClientOptions = ConstructorParameters<typeof SignallingClient>[0];

/** Lower bounds allow for timer granularity and a busy event loop on either side. */
export const SLACK_MS = 150;

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Every event name of sdk.md's SignallingClient. */
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

/** One event as a client emitted it; `ctx` is the context object of sdk.md. */
export interface Recorded {
  name: EventName;
  /** `Date.now()` when it was emitted. */
  at: number;
  /** Position in the client's log. */
  index: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read event fields freely; sdk.md is what is tested.
  ctx: any;
}

/** One socket the SDK opened through {@link Sockets.factory}. */
export interface OpenedSocket {
  ws: WebSocket;
  /** The URL without its query (which carries the credential). */
  url: string;
  /** `Date.now()` when the SDK asked for it: the start of a connection attempt. */
  at: number;
  /** `Date.now()` of the last frame received on it (undefined before the first). */
  lastInboundAt: number | undefined;
  /** `Date.now()` when it closed. */
  closedAt: number | undefined;
}

/** A `webSocketFactory` on `ws` that records every socket (so attempts can be counted and timed). */
export class Sockets {
  readonly opened: OpenedSocket[] = [];

  readonly factory = (url: string): WebSocket => {
    const ws = new WebSocket(url);
    const entry: OpenedSocket = {
      ws,
      url: url.split("?")[0] ?? url,
      at: Date.now(),
      lastInboundAt: undefined,
      closedAt: undefined,
    };
    ws.on("message", () => {
      entry.lastInboundAt = Date.now();
    });
    ws.on("close", () => {
      entry.closedAt = Date.now();
    });
    this.opened.push(entry);
    return ws;
  };

  get count(): number {
    return this.opened.length;
  }

  /** The socket of attempt `n` (0-based); throws if there is none. */
  attempt(n: number): OpenedSocket {
    const entry = this.opened[n];
    if (!entry) throw new Error(`no connection attempt #${n} (only ${this.opened.length})`);
    return entry;
  }

  /** Waits until at least `n` sockets were asked for. */
  async waitCount(n: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.opened.length < n) {
      if (Date.now() > deadline)
        throw new Error(
          `expected ${n} connection attempts within ${timeoutMs} ms, saw ${this.opened.length}`,
        );
      await sleep(20);
    }
  }

  /** Ends every socket still open (test cleanup; the SDK is closed first). */
  terminateAll(): void {
    for (const { ws } of this.opened) if (ws.readyState !== WebSocket.CLOSED) ws.terminate();
  }
}

/** Minimal view of the SDK's emitter, so the log does not depend on its exact generic typing. */
interface Emitter {
  on(event: string, listener: (ctx: unknown) => void): unknown;
}

/** Every event a client emits, in order, with a timestamp; waits for the next one matching. */
export class EventLog {
  readonly events: Recorded[] = [];
  private waiters = new Set<() => void>();

  constructor(client: SignallingClient) {
    for (const name of EVENT_NAMES) {
      (client as unknown as Emitter).on(name, (ctx) => {
        this.events.push({ name, at: Date.now(), index: this.events.length, ctx });
        for (const wake of [...this.waiters]) wake();
      });
    }
  }

  /** Events named `name` (optionally only those after log position `after`). */
  all(name: EventName, after = -1): Recorded[] {
    return this.events.filter((e) => e.name === name && e.index > after);
  }

  /** The first event `name` after position `after` that `match` accepts, already seen or to come. */
  async waitFor(
    name: EventName,
    options: { match?: (ctx: Recorded["ctx"]) => boolean; after?: number; timeoutMs?: number } = {},
  ): Promise<Recorded> {
    const { match = () => true, after = -1, timeoutMs = 10_000 } = options;
    const find = () => this.events.find((e) => e.name === name && e.index > after && match(e.ctx));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = find();
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`no "${name}" event within ${timeoutMs} ms; events so far: ${this.summary()}`);
      }
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.waiters.add(wake);
      });
    }
  }

  /** A short description of the log for failure messages (no credentials: none are in events). */
  summary(): string {
    const t0 = this.events[0]?.at ?? 0;
    return this.events
      .map((e) => {
        const c = e.ctx ?? {};
        const detail =
          e.name === "state-change"
            ? `${c.from}->${c.to}(${c.reason})`
            : e.name === "disconnected"
              ? `${c.code},willReconnect=${c.willReconnect}`
              : e.name === "connected"
                ? `isReconnect=${c.isReconnect}`
                : e.name === "presence"
                  ? c.channel
                  : e.name === "error" || e.name === "token-provider-error"
                    ? String(c.error?.name ?? c.error)
                    : "";
        return `+${e.at - t0}ms ${e.name}${detail ? ` ${detail}` : ""}`;
      })
      .join("; ");
  }
}

/** A client under test with its log and counted sockets. */
export interface TestClient {
  client: SignallingClient;
  log: EventLog;
  sockets: Sockets;
}

/**
 * Tracks SDK clients and child processes of one test file so `afterEach` cleans up everything,
 * whatever the test did before it failed.
 */
export class Harness {
  private clients: TestClient[] = [];
  private cleanups: Array<() => Promise<unknown> | unknown> = [];

  /** Builds a client with a counting `ws` factory (no connect). */
  client(options: Omit<ClientOptions, "webSocketFactory">): TestClient {
    const sockets = new Sockets();
    const client = new SignallingClient({ ...options, webSocketFactory: sockets.factory } as ClientOptions);
    const entry = { client, log: new EventLog(client), sockets };
    this.clients.push(entry);
    // A failing test shows what each of its clients went through (SDK_TEST_EVENTS=1: every test).
    const n = this.clients.length;
    const print = () => console.error(`client #${n} (${sockets.count} sockets): ${entry.log.summary()}`);
    if (process.env.SDK_TEST_EVENTS) onTestFinished(print);
    else onTestFailed(print);
    return entry;
  }

  /** Runs `fn` at cleanup (after every client is closed), last registered first. */
  defer(fn: () => Promise<unknown> | unknown): void {
    this.cleanups.push(fn);
  }

  async cleanup(): Promise<void> {
    const clients = this.clients;
    this.clients = [];
    await Promise.all(
      clients.map(async ({ client, sockets }) => {
        try {
          await withTimeout(client.close(), 3_000, "client.close()");
        } catch {
          // A test may have closed it already, or the close itself is what failed; either way go on.
        }
        sockets.terminateAll();
      }),
    );
    const cleanups = this.cleanups.reverse();
    this.cleanups = [];
    for (const fn of cleanups) {
      try {
        await fn();
      } catch {
        // Best effort: one failing cleanup must not leak the rest.
      }
    }
  }
}

export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** The SDK's `url` option for a server on 127.0.0.1:`port` (the SDK appends `/v1`). */
export const sdkUrl = (port: number): string => `ws://127.0.0.1:${port}`;

// ---------------------------------------------------------------------------------------------
// The CLI as a child process

/** A data dir for CLI servers, prepared in-process: the default app and keys of our choosing. */
export interface CliDataDir {
  dataDir: string;
  /** A publishable key of the default app with all four actions. */
  pk: string;
  /** A secret key of the default app. */
  sk: { id: string; secret: string };
  remove(): Promise<void>;
}

export async function prepareDataDir(): Promise<CliDataDir> {
  const dir = await mkdtemp(join(tmpdir(), "switchboard-sdk-"));
  const dataDir = join(dir, "data");
  const { store } = await openSqliteStore({ dataDir });
  try {
    const app = await store.defaultApp();
    const pk = await store.createKey({
      type: "publishable",
      appId: app.id,
      actions: ["subscribe", "publish", "presence", "send"],
    });
    const sk = await store.createKey({ type: "secret", appId: app.id });
    if (sk.secret === undefined) throw new Error("createKey returned no secret for a secret key");
    return {
      dataDir,
      pk: pk.key.id,
      sk: { id: sk.key.id, secret: sk.secret },
      remove: () => rm(dir, { recursive: true, force: true }),
    };
  } finally {
    await store.close();
  }
}

/**
 * `switchboard serve` on `dataDir`, port 0 or a given one (a restart must reuse the first port):
 * no per-IP connect limit, no drain window, warnings only.
 */
export function serveCli(dataDir: string, port = 0): Promise<Served> {
  return serve([
    "--port",
    String(port),
    "--data-dir",
    dataDir,
    "--connect-rate-per-ip",
    "0",
    "--drain-ms",
    "0",
    "--log-level",
    "warn",
  ]);
}

/**
 * Starts the CLI on `port` again; retries for a few seconds in case the port is still held (the
 * previous process may take a moment to release it after a kill).
 */
export async function restartCli(dataDir: string, port: number): Promise<Served> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      return await serveCli(dataDir, port);
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(200);
    }
  }
}

/** Kills a CLI server whatever its state (a SIGSTOPped process is killed too) and waits for the exit. */
export async function killCli(served: Served): Promise<void> {
  if (served.child.exitCode !== null || served.child.signalCode !== null) return;
  await withTimeout(served.stop("SIGKILL"), 10_000, "killing the CLI server");
}
