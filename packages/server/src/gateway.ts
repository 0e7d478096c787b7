import type { IncomingMessage } from "node:http";
import { CloseCode, CloseReason, ErrorCode, Limits } from "@switchboard/protocol";
import type { Logger } from "pino";
import type { RawData, WebSocket } from "ws";
import { type AppRegistry, concurrentConnections } from "./apps.js";
import { authenticate, type Identity, NO_METADATA } from "./auth/authenticate.js";
import { COVERAGE_BUDGET } from "./auth/coverage-budget.js";
import { turnSettingsOf, welcomeMetadata } from "./auth/ice-servers.js";
import type { KeyDirectory } from "./auth/keys.js";
import { queryOf } from "./auth/query.js";
import type { ServerConfig } from "./config.js";
import type { Connection } from "./connection.js";
import { Subscriptions } from "./delivery/subscriptions.js";
import { frameBytes } from "./encode.js";
import { type ClientAddressOf, clientAddressResolver } from "./http/client-address.js";
import type { Meter } from "./meter.js";
import { dispatchBinary, dispatchFrame } from "./session/dispatch.js";
import { fail } from "./session/reply.js";
import { runAt } from "./timers.js";
import { createTokenBucket } from "./token-bucket.js";
import { wsTransport } from "./transport.js";

/**
 * Takes an upgraded socket from handshake to close: authenticate before `welcome`, apply the app's
 * suspension and connection limit, register the connection, dispatch its frames, clean up on close.
 */
export interface Gateway {
  /**
   * Takes a freshly upgraded socket. Resolves once it has its `welcome` or its refusing close
   * frame (never rejects), so the caller can hold the 101 response back until then.
   */
  accept(ws: WebSocket, req: IncomingMessage): Promise<void>;
  /** Authenticated connections. */
  readonly connections: ReadonlySet<Connection>;
  /** Every upgraded socket, authenticated or not. */
  readonly sockets: ReadonlySet<WebSocket>;
}

interface GatewayDeps {
  config: ServerConfig;
  keys: KeyDirectory;
  apps: AppRegistry;
  log: Logger;
  /** Counts handshakes, welcomes and closes (the sessions count through `app.meter`). */
  meter: Meter;
  /** The client address of an upgrade request, for the debug logs of handshakes. Default: the TCP peer. */
  clientAddress?: ClientAddressOf;
}

const secondsSince = (startedMs: number) => (performance.now() - startedMs) / 1000;

/** Where an admitted socket keeps its connection, for the listeners every socket shares. */
const kConnection = Symbol("connection");
/** The client address of a socket, kept only while debug logging is on (the logs are its only use). */
const kAddress = Symbol("address");

/** A connection as the gateway holds it: plus the disposer of its expiry close. */
interface Admitted extends Connection {
  readonly cancelExpiry: (() => void) | undefined;
}

/**
 * A socket as the gateway's listeners see it (`this`). The listeners are made once per gateway and
 * find the connection here: a closure (and a `once` wrapper) per socket and event cost ≈ 0.7 KB of heap
 * per connection for as long as it lives.
 */
type GatewaySocket = WebSocket & { [kConnection]?: Admitted; [kAddress]?: string };

export function createGateway({
  config,
  keys,
  apps,
  log,
  meter,
  clientAddress = clientAddressResolver([]),
}: GatewayDeps): Gateway {
  const connections = new Set<Connection>();
  const sockets = new Set<WebSocket>();
  let nextId = 1;

  function refuse(ws: WebSocket, code: number, startedMs: number): void {
    // Reading must resume, or the client's answering close frame is never seen and the socket
    // lingers until ws's 30 s close timeout.
    ws.resume();
    ws.close(code, CloseReason[code as keyof typeof CloseReason] ?? "");
    meter.observeHandshake(secondsSince(startedMs), "refused");
    // Never the query: it carries the credential.
    log.debug({ code, ip: (ws as GatewaySocket)[kAddress] }, "handshake refused");
  }

  async function admit(ws: WebSocket, req: IncomingMessage, startedMs: number): Promise<void> {
    const query = queryOf(req.url ?? "/");
    const origin = req.headers.origin;
    const outcome = await authenticate(
      query,
      origin,
      keys,
      Date.now(),
      config.maxTokenTtlSec,
      COVERAGE_BUDGET,
    );
    if (ws.readyState !== ws.OPEN) return;
    if (!outcome.ok) return refuse(ws, outcome.close, startedMs);
    const app = await apps.get(outcome.identity.appId);
    if (ws.readyState !== ws.OPEN) return;
    if (!app) return refuse(ws, CloseCode.InvalidToken, startedMs);
    if (app.record.suspended) return refuse(ws, CloseCode.AppSuspended, startedMs);
    const cap = app.record.plan.maxConcurrentConnections;
    // Cluster-wide in cluster mode: the other nodes' counts are their last heartbeats (≤ ~1 s old).
    if (cap !== null && concurrentConnections(app) >= cap) {
      return refuse(ws, CloseCode.OverConnectionLimit, startedMs);
    }
    open(ws, outcome.identity, app, startedMs);
  }

  // ws emits `close` once, so `on` does what `once` did without a wrapper per socket.
  function onClose(this: GatewaySocket, code: number): void {
    sockets.delete(this);
    meter.countClose(code);
    const connection = this[kConnection];
    if (!connection) return;
    const { id, app, peerId } = connection;
    log.debug({ connection: id, appId: app.id, peerId, code }, "disconnected");
    connection.cancelExpiry?.();
    connections.delete(connection);
    app.connections.delete(connection);
    app.hub.removeConnection(connection);
  }

  // Counted for every connection, warned about once: with the pinned ws it never happens.
  let fallbackWarned = false;
  function onTransportFallback(): void {
    meter.transportFallbacks += 1;
    if (fallbackWarned) return;
    fallbackWarned = true;
    log.warn(
      "ws socket has no reachable _socket: frames go through ws.send (no corking); check the ws version",
    );
  }

  // ws closes with 1009/1007 itself on oversize or invalid UTF-8; the error is only logged.
  function onError(err: Error): void {
    log.debug({ err: err.message }, "websocket error");
  }

  function onMessage(this: GatewaySocket, data: RawData, isBinary: boolean): void {
    const connection = this[kConnection];
    if (!connection) return; // unreachable: attached once the connection is set
    try {
      if (isBinary) dispatchBinary(connection);
      // ws hands text frames over as one Buffer (binaryType "nodebuffer"): its length is the size.
      else dispatchFrame(connection, data.toString(), (data as Buffer).length);
    } catch (err) {
      // A bug must cost one frame, never the process: answer and keep serving.
      log.error({ err, connection: connection.id }, "frame handling failed");
      fail(connection, ErrorCode.InternalError, "internal error", undefined);
    }
  }

  function onPong(this: GatewaySocket): void {
    const connection = this[kConnection];
    if (connection) connection.pongPending = false;
  }

  function open(
    ws: GatewaySocket,
    identity: Identity,
    app: NonNullable<Awaited<ReturnType<AppRegistry["get"]>>>,
    startedMs: number,
  ): void {
    const id = nextId++;
    // The two closures below capture only `connection`: whatever else `open` holds (`ws`,
    // `startedMs`) must not stay reachable for the life of the connection.
    let connection: Admitted;
    const transport = wsTransport(
      ws,
      config.sendBufferLimitBytes,
      () =>
        log.warn(
          { connection: connection.id, app: connection.app.id },
          "send buffer over limit: client stopped reading, closing",
        ),
      onTransportFallback,
    );
    connection = {
      id,
      app,
      peerId: identity.peerId,
      identity,
      transport,
      presenceEnabled: identity.scope.actions.has("presence"),
      subscriptions: new Subscriptions(),
      bucket: createTokenBucket(config.rateFramesPerSec, config.rateBurst),
      pongPending: false,
      cancelExpiry:
        identity.expiresAt === null
          ? undefined
          : runAt(identity.expiresAt * 1000 - Limits.expiryCloseLeadMs, () =>
              connection.transport.close(CloseCode.TokenExpired, CloseReason[CloseCode.TokenExpired]),
            ),
    };
    ws[kConnection] = connection;
    connections.add(connection);
    app.connections.add(connection);
    app.usage.peakConcurrent = Math.max(app.usage.peakConcurrent, concurrentConnections(app));
    app.hub.addConnection(connection);

    ws.on("message", onMessage);
    ws.on("pong", onPong);

    transport.send(
      frameBytes({
        type: "welcome",
        peerId: identity.peerId,
        expiresAt: identity.expiresAt,
        serverTime: Math.floor(Date.now() / 1000),
        maxMessageSize: Limits.maxFrameBytes,
        // JWT metadata, plus TURN credentials when injected (protocol.md §12).
        metadata: welcomeMetadata(identity, turnSettingsOf(config), Date.now()),
      }),
    );
    identity.metadata = NO_METADATA; // only the welcome needed it
    meter.framesOut.welcome += 1;
    meter.observeHandshake(secondsSince(startedMs), "accepted");
    log.debug(
      { connection: id, appId: app.id, peerId: identity.peerId, ip: (ws as GatewaySocket)[kAddress] },
      "connected",
    );
    ws.resume();
  }

  return {
    accept(ws, req) {
      // ws completes the upgrade synchronously inside the `upgrade` event: this is upgrade time.
      const startedMs = performance.now();
      sockets.add(ws);
      if (log.isLevelEnabled("debug")) (ws as GatewaySocket)[kAddress] = clientAddress(req);
      ws.on("close", onClose);
      ws.on("error", onError);
      // Frames sent before `welcome` wait in the kernel until the connection is admitted.
      ws.pause();
      return admit(ws, req, startedMs).catch((err: unknown) => {
        log.error({ err }, "handshake failed");
        if (ws.readyState === ws.OPEN) {
          ws.resume(); // or the client's answering close frame is never read
          ws.close(CloseCode.InternalError, "internal error");
          meter.observeHandshake(secondsSince(startedMs), "refused");
        }
      });
    },
    connections,
    sockets,
  };
}
