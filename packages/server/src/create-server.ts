import type { IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { Limits } from "@switchboard/protocol";
import { WebSocketServer } from "ws";
import { createAppRegistry } from "./apps.js";
import { createKeyDirectory } from "./auth/keys.js";
import type { ClusterDeps } from "./cluster/cluster-deps.js";
import { type ClusterNode, createClusterNode } from "./cluster/cluster-node.js";
import { resolveConfig, type ServerConfig } from "./config.js";
import { drain } from "./drain.js";
import { effectiveMaxConnections, openFileLimit } from "./fd-limit.js";
import { createGateway } from "./gateway.js";
import { createHttpApp } from "./http/app.js";
import { clientAddressResolver, limitKeyOf } from "./http/client-address.js";
import { createConnectRateLimiter } from "./http/connect-rate.js";
import type { Lifecycle, RouteContext } from "./http/context.js";
import { rejectUpgrade } from "./http/reject.js";
import { startKeepalive } from "./keepalive.js";
import { type Logger, silentLogger } from "./logger.js";
import { createMetrics } from "./metrics.js";
import type { ProcessStatsReader } from "./process-stats.js";
import { watchStoreChanges } from "./revocation.js";
import type { Store } from "./store/types.js";
import { createUsageFlusher } from "./usage-flusher.js";

/** Injected dependencies; tests swap them. */
export interface ServerDeps {
  store: Store;
  /** Default: silent. */
  logger?: Logger;
  /** Readers of RSS and open fds for `/metrics`. Default: /proc; tests inject failing ones. */
  processStats?: ProcessStatsReader;
  /**
   * Cluster mode: the broker and presence registry shared with the other nodes (see
   * `connectRedisCluster`). Default: none, a single node. The server starts them in `listen` and
   * closes them in `close`; every node of a cluster must use the same store.
   */
  cluster?: ClusterDeps;
}

/** A running (or ready to run) Switchboard node. */
export interface SwitchboardServer {
  /** Starts listening on `config.host:config.port`; resolves with the bound address. */
  listen(): Promise<{ host: string; port: number }>;
  /**
   * Graceful shutdown: `/readyz` turns 503 and upgrades get HTTP 503 at once; every client gets
   * `going_away {retryAfterMs}` and a 1001 close, spread over `config.drainMs` (drain.ts); sockets
   * that have not finished closing {@link CLOSE_GRACE_MS} after the window are dropped. Resolves once
   * all sockets are gone and the usage counters are written, at once when no client is connected.
   * Calling it again returns the same promise. Does not close the injected store.
   */
  close(): Promise<void>;
  /** The bound address, or null before `listen`. */
  address(): { host: string; port: number } | null;
}

/**
 * How long `close()` waits, after the drain window, for clients to finish the closing handshake
 * before dropping them. A shutdown takes at most `drainMs` + this + the usage flush.
 */
export const CLOSE_GRACE_MS = 2_000;

/**
 * The accept queue length asked of the kernel (which caps it at `net.core.somaxconn`). Node's
 * default of 511 overflows when hundreds of clients connect at once while the event loop is busy
 * admitting others; each overflow makes that client wait for a SYN retransmit (≥ 1 s).
 */
export const LISTEN_BACKLOG = 4_096;

/** What `node-info` heartbeats report as the version a node runs. */
const SERVER_VERSION = "0.1.0";

/**
 * Guards the socket from the `upgrade` event until ws owns it: a socket `error` with no listener
 * would crash the process. A listener that closes over nothing: an arrow in the upgrade handler
 * would share its closure context and keep the upgrade request (URL with the token, headers)
 * alive with the socket.
 */
function destroySocket(this: Duplex): void {
  this.destroy();
}

/**
 * Creates a Switchboard server: the `/v1` WebSocket endpoint (protocol.md §1–§10) and the HTTP
 * routes. `options` is merged over `defaults`; invalid values throw one `TypeError` listing every
 * problem.
 */
export function createServer(options: Partial<ServerConfig>, deps: ServerDeps): SwitchboardServer {
  const config = resolveConfig(options);
  const log = deps.logger ?? silentLogger();
  const { store } = deps;
  const fdLimit = openFileLimit();
  const maxConnections = effectiveMaxConnections(config.maxConnections, fdLimit);
  if (config.maxConnections !== undefined && maxConnections < config.maxConnections) {
    log.warn(
      { requested: config.maxConnections, maxConnections },
      "max connections lowered to fit the open-file limit",
    );
  }

  const keys = createKeyDirectory(store);
  // The gauges read live state at scrape time; nothing on the hot path maintains them.
  const metrics = createMetrics(
    {
      connections: () => gateway.connections.size,
      subscriptions: () => {
        let n = 0;
        for (const connection of gateway.connections) n += connection.subscriptions.size;
        return n;
      },
      draining: () => lifecycle.draining,
    },
    { processStats: deps.processStats, maxFds: fdLimit, maxConnections },
  );
  const { meter } = metrics;
  const cluster: ClusterNode | undefined =
    deps.cluster === undefined
      ? undefined
      : createClusterNode(deps.cluster, { log, version: SERVER_VERSION, timings: deps.cluster.timings });
  const apps = createAppRegistry(store, meter, cluster?.linkFor);
  const clientAddress = clientAddressResolver(config.trustProxy);
  const gateway = createGateway({ config, keys, apps, log, meter, clientAddress });
  const usage = createUsageFlusher({ store, apps, intervalMs: config.usageFlushMs, log });
  const limiter = createConnectRateLimiter(config.connectRatePerIp, config.connectRateWindowMs);
  const lifecycle: Lifecycle = { accepting: false, draining: false };
  const context: RouteContext = {
    cluster,
    config,
    store,
    apps,
    keys,
    gateway,
    lifecycle,
    log,
    metrics,
    clientAddress,
  };
  const app = createHttpApp(context);
  const http = app.server;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: Limits.maxFrameBytes,
    perMessageDeflate: false,
    clientTracking: false,
  });
  const disposers: Array<() => void> = [];
  let closing: Promise<void> | undefined;

  const refuseUpgrade = (socket: Duplex, status: number, error: string, message: string) => {
    meter.upgradeRejections.set(status, (meter.upgradeRejections.get(status) ?? 0) + 1);
    rejectUpgrade(socket, status, error, message);
  };

  // Accept errors (EMFILE at the descriptor limit) must not kill the process.
  http.on("error", (err: NodeJS.ErrnoException) => {
    if (err.syscall === "accept") log.warn({ code: err.code }, "accept failed");
  });
  http.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", destroySocket);
    const path = (req.url ?? "/").split("?", 1)[0];
    if (path !== "/v1") return refuseUpgrade(socket, 404, "not_found", "the WebSocket endpoint is /v1");
    if (limiter.enabled) {
      const ip = clientAddress(req);
      if (!limiter.allow(limitKeyOf(ip))) {
        log.debug({ ip }, "upgrade refused: connect rate");
        return refuseUpgrade(socket, 429, "rate_limited", "too many connection attempts from this address");
      }
    }
    if (!lifecycle.accepting)
      return refuseUpgrade(socket, 503, "unavailable", "server is not accepting connections");
    if (gateway.sockets.size >= maxConnections) {
      return refuseUpgrade(socket, 503, "over_capacity", "server is at its connection limit");
    }
    // The 101 response and the `welcome` (or the refusing close frame) leave in one write: the
    // socket stays corked from here until the gateway has decided (microtasks later when the key
    // and app are cached). A second write syscall was ≈ 10 % of a handshake's server CPU. The
    // client gets the same bytes in the same order; it could not act on the 101 before `welcome`.
    socket.cork();
    let admitted: Promise<void> | undefined;
    // ws completes the upgrade synchronously (or aborts a bad one with HTTP 400 itself, which ends
    // and so uncorks the socket).
    wss.handleUpgrade(req, socket, head, (ws) => {
      // ws now owns the socket and destroys it on error itself (its own socket `error` listener):
      // a second listener would only turn the socket's listeners into an array for its lifetime.
      socket.removeListener("error", destroySocket);
      admitted = gateway.accept(ws, req);
    });
    if (admitted) void admitted.finally(() => socket.uncork());
    else socket.uncork();
  });

  return {
    async listen() {
      // In the cluster before the first client: its first subscribe already reaches the others.
      await cluster?.start(apps);
      await app.listen({ port: config.port, host: config.host, backlog: LISTEN_BACKLOG });
      lifecycle.accepting = true;
      disposers.push(
        startKeepalive(
          gateway.connections,
          (c) => c.transport.ping(),
          config.pingIntervalMs,
          config.pongTimeoutMs,
        ),
        watchStoreChanges(store, keys, apps, gateway.connections, log),
        usage.start(),
        () => limiter.close(),
      );
      const bound = this.address();
      if (!bound) throw new Error("server did not bind");
      log.info({ ...bound, maxConnections, ...(cluster ? { nodeId: cluster.nodeId } : {}) }, "listening");
      return bound;
    },

    close() {
      closing ??= shutdown();
      return closing;
    },

    address() {
      const info = http.address() as AddressInfo | null;
      return info ? { host: info.address, port: info.port } : null;
    },
  };

  async function shutdown(): Promise<void> {
    lifecycle.accepting = false;
    lifecycle.draining = true;
    log.info({ connections: gateway.connections.size, drainMs: config.drainMs }, "draining");
    cluster?.startDraining();
    await drain(gateway, {
      windowMs: config.drainMs,
      retryAfterMs: config.goingAwayRetryAfterMs,
      graceMs: CLOSE_GRACE_MS,
      meter,
      log,
    });
    // After the drain: keepalive, revocation and the periodic usage flush keep working while
    // clients are still connected.
    for (const dispose of disposers.splice(0)) dispose();
    metrics.close();
    http.closeAllConnections();
    await app.close();
    // Last: every socket is gone and no request is in flight, so these counters are final.
    await usage.flush();
    await cluster?.close();
  }
}
