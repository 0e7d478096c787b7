import { type JsonObject, Limits, type ServerFrame } from "@switchboard/protocol";
import type { AppRuntime } from "./apps.js";
import type { Identity } from "./auth/authenticate.js";
import { createScope, type Scope } from "./auth/scope.js";
import type { Connection } from "./connection.js";
import { Subscriptions } from "./delivery/subscriptions.js";
import { payloadOf } from "./encode.js";
import { createHub } from "./hub.js";
import { createMeter } from "./meter.js";
import { createTokenBucket } from "./token-bucket.js";
import type { Transport } from "./transport.js";

/** An in-memory transport that records decoded frames, for unit tests. */
export interface RecordingTransport extends Transport {
  readonly frames: ServerFrame[];
  readonly closed: { code: number; reason: string } | undefined;
  /** The frame bytes object of every `send` call (to prove encode-once, frame-once). */
  readonly sentBuffers: Buffer[];
}

export function recordingTransport(): RecordingTransport {
  const frames: ServerFrame[] = [];
  const sentBuffers: Buffer[] = [];
  let closed: { code: number; reason: string } | undefined;
  return {
    frames,
    sentBuffers,
    get closed() {
      return closed;
    },
    send(frame) {
      if (closed) return;
      sentBuffers.push(frame.bytes);
      frames.push(JSON.parse(payloadOf(frame).toString("utf8")) as ServerFrame);
    },
    close(code, reason) {
      closed ??= { code, reason };
    },
    terminate() {
      closed ??= { code: 1006, reason: "" };
    },
    ping() {},
    bufferedAmount: 0,
  };
}

export function testApp(id = "app_test"): AppRuntime {
  const meter = createMeter();
  return {
    id,
    record: {
      id,
      name: id,
      suspended: false,
      plan: {
        name: "default",
        maxConcurrentConnections: null,
        maxMessagesPerPeriod: null,
        periodSec: 2_592_000,
      },
      createdAt: 0,
    },
    hub: createHub(undefined, meter),
    connections: new Set(),
    meter,
    usage: { periodStartUnix: 0, messagesUsed: 0, peakConcurrent: 0 },
    persisted: { periodStartUnix: 0, messagesUsed: 0, peakConcurrent: 0 },
  };
}

let nextId = 1;

/** A connection on `app` with a recording transport; registered with the app's hub. */
export function testConnection(
  app: AppRuntime,
  peerId: string,
  options: { scope?: Scope; peerMetadata?: JsonObject; rateFramesPerSec?: number; rateBurst?: number } = {},
): Connection & { transport: RecordingTransport } {
  const scope = options.scope ?? createScope(["**"], ["subscribe", "publish", "presence", "send"]);
  const identity: Identity = {
    key: {
      record: {
        id: "sk_id_test",
        type: "secret",
        appId: app.id,
        channelPatterns: ["**"],
        actions: ["subscribe", "publish", "presence", "send"],
        allowedOrigins: [],
        autoInjectTurn: true,
        revoked: false,
        createdAt: 0,
        revokedAt: null,
      },
      scope,
    },
    appId: app.id,
    peerId,
    scope,
    expiresAt: null,
    metadata: {},
    peerMetadata: options.peerMetadata,
  };
  const connection = {
    id: nextId++,
    app,
    peerId,
    identity,
    transport: recordingTransport(),
    presenceEnabled: scope.actions.has("presence"),
    subscriptions: new Subscriptions(),
    bucket: createTokenBucket(
      options.rateFramesPerSec ?? Limits.rateFramesPerSec,
      options.rateBurst ?? Limits.rateBurst,
    ),
    pongPending: false,
  };
  app.connections.add(connection);
  app.hub.addConnection(connection);
  return connection;
}
