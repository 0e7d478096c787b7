import type { IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { CloseCode, CloseReason, Limits } from "@switchboard/protocol";
import { WebSocketServer } from "ws";
import { createAppRegistry } from "./apps.js";
import { createKeyDirectory } from "./auth/keys.js";
import { resolveConfig, type ServerConfig } from "./config.js";
import { frameBytes } from "./encode.js";
import { effectiveMaxConnections } from "./fd-limit.js";
import { createGateway } from "./gateway.js";
import { createHttpApp } from "./http/app.js";
import { createConnectRateLimiter } from "./http/connect-rate.js";
import type { Lifecycle, RouteContext } from "./http/context.js";
import { rejectUpgrade } from "./http/reject.js";
import { startKeepalive } from "./keepalive.js";
import { type Logger, silentLogger } from "./logger.js";
import { watchStoreChanges } from "./revocation.js";
import type { Store } from "./store/types.js";

/** Injected dependencies; tests swap them. */
export interface ServerDeps {
  store: Store;
  /** Default: silent. */
  logger?: Logger;
}

/** A running (or ready to run) Switchboard node. */
export interface SwitchboardServer {
  /** Starts listening on `config.host:config.port`; resolves with the bound address. */
  listen(): Promise<{ host: string; port: number }>;
  /**
   * Stops taking connections, tells every client `going_away {retryAfterMs}` and closes it with
   * 1001, then resolves once all sockets are gone. Does not close the injected store.
   */
  close(): Promise<void>;
  /** The bound address, or null before `listen`. */
  address(): { host: string; port: number } | null;
}

/** How long `close()` waits for clients to finish the closing handshake before dropping them. */
const CLOSE_GRACE_MS = 3_000;

/**
 * Creates a Switchboard server: the `/v1` WebSocket endpoint (protocol.md §1–§10) and the HTTP
 * routes. `options` is merged over `defaults`; invalid values throw one `TypeError` listing every
 * problem.
 */
export function createServer(options: Partial<ServerConfig>, deps: ServerDeps): SwitchboardServer {
  const config = resolveConfig(options);
  const log = deps.logger ?? silentLogger();
  const { store } = deps;
  const maxConnections = effectiveMaxConnections(config.maxConnections);
  if (config.maxConnections !== undefined && maxConnections < config.maxConnections) {
    log.warn(
      { requested: config.maxConnections, maxConnections },
      "max connections lowered to fit the open-file limit",
    );
  }

  const keys = createKeyDirectory(store);
  const apps = createAppRegistry(store);
  const gateway = createGateway({ config, keys, apps, log });
  const limiter = createConnectRateLimiter(config.connectRatePerIp, config.connectRateWindowMs);
  const lifecycle: Lifecycle = { accepting: false, draining: false };
  const context: RouteContext = { config, store, apps, keys, gateway, lifecycle, log };
  const app = createHttpApp(context);
  const http = app.server;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: Limits.maxFrameBytes,
    perMessageDeflate: false,
    clientTracking: false,
  });
  const disposers: Array<() => void> = [];

  // Accept errors (EMFILE at the descriptor limit) must not kill the process.
  http.on("error", (err: NodeJS.ErrnoException) => {
    if (err.syscall === "accept") log.warn({ code: err.code }, "accept failed");
  });
  http.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", () => socket.destroy());
    const path = (req.url ?? "/").split("?", 1)[0];
    if (path !== "/v1") return rejectUpgrade(socket, 404, "not_found", "the WebSocket endpoint is /v1");
    if (!limiter.allow(req.socket.remoteAddress ?? "unknown")) {
      return rejectUpgrade(socket, 429, "rate_limited", "too many connection attempts from this address");
    }
    if (!lifecycle.accepting)
      return rejectUpgrade(socket, 503, "unavailable", "server is not accepting connections");
    if (gateway.sockets.size >= maxConnections) {
      return rejectUpgrade(socket, 503, "over_capacity", "server is at its connection limit");
    }
    // ws completes the upgrade synchronously (or aborts a bad one with HTTP 400 itself).
    wss.handleUpgrade(req, socket, head, (ws) => gateway.accept(ws, req));
  });

  return {
    async listen() {
      await app.listen({ port: config.port, host: config.host });
      lifecycle.accepting = true;
      disposers.push(
        startKeepalive(
          gateway.connections,
          (c) => c.transport.ping(),
          config.pingIntervalMs,
          config.pongTimeoutMs,
        ),
        watchStoreChanges(store, keys, apps, gateway.connections, log),
        () => limiter.close(),
      );
      const bound = this.address();
      if (!bound) throw new Error("server did not bind");
      log.info({ ...bound, maxConnections }, "listening");
      return bound;
    },

    async close() {
      lifecycle.accepting = false;
      lifecycle.draining = true;
      for (const dispose of disposers.splice(0)) dispose();
      const goingAway = frameBytes({ type: "going_away", retryAfterMs: config.goingAwayRetryAfterMs });
      for (const connection of gateway.connections) {
        connection.transport.send(goingAway);
        connection.transport.close(CloseCode.GoingAway, CloseReason[CloseCode.GoingAway]);
      }
      for (const ws of gateway.sockets) {
        if (ws.readyState !== ws.OPEN) continue;
        ws.resume(); // still paused if it was mid-handshake
        ws.close(CloseCode.GoingAway, "going away");
      }
      const deadline = Date.now() + CLOSE_GRACE_MS;
      while (gateway.sockets.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      for (const ws of gateway.sockets) ws.terminate();
      http.closeAllConnections();
      await app.close();
    },

    address() {
      const info = http.address() as AddressInfo | null;
      return info ? { host: info.address, port: info.port } : null;
    },
  };
}
