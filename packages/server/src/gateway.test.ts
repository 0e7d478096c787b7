import { EventEmitter } from "node:events";
import type { IncomingMessage } from "node:http";
import { CloseCode } from "@switchboard/protocol";
import { SignJWT } from "jose";
import pino from "pino";
import { describe, expect, it } from "vitest";
import type { WebSocket } from "ws";
import type { AppRegistry } from "./apps.js";
import { NO_METADATA } from "./auth/authenticate.js";
import type { KeyDirectory, ResolvedKey } from "./auth/keys.js";
import { createScope } from "./auth/scope.js";
import { resolveConfig } from "./config.js";
import { createGateway } from "./gateway.js";
import { silentLogger } from "./logger.js";
import { createMeter } from "./meter.js";
import { testApp } from "./test-support.js";

/** The part of a `ws` socket the gateway touches; no `_socket`, so sends go through `send`. */
class FakeSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  readonly sent: string[] = [];
  closedWith: number | undefined;
  pause(): void {}
  resume(): void {}
  send(data: Buffer): void {
    this.sent.push(data.toString("utf8"));
  }
  close(code: number): void {
    this.closedWith = code;
    this.readyState = 2;
  }
  terminate(): void {
    this.readyState = 3;
  }
  ping(): void {}
}

const KEY_ID = "pk_live_gatewaytest";
const SECRET_KEY_ID = "sk_id_gatewaytest";
const SECRET = "sk_secret_gatewaytest";

function setup(log = silentLogger()) {
  const app = testApp();
  const key: ResolvedKey = {
    record: {
      id: KEY_ID,
      type: "publishable",
      appId: app.id,
      channelPatterns: ["**"],
      actions: ["subscribe", "presence"],
      allowedOrigins: [],
      autoInjectTurn: false,
      revoked: false,
      createdAt: 0,
      revokedAt: null,
    },
    scope: createScope(["**"], ["subscribe", "presence"]),
  };
  const secretKey: ResolvedKey = {
    record: { ...key.record, id: SECRET_KEY_ID, type: "secret" },
    scope: createScope(["**"], ["subscribe", "publish"]),
    hmacKey: new TextEncoder().encode(SECRET),
  };
  const byId = new Map([
    [KEY_ID, key],
    [SECRET_KEY_ID, secretKey],
  ]);
  const keys: KeyDirectory = { lookup: async (id) => byId.get(id), invalidate() {} };
  const apps = { get: async (id: string) => (id === app.id ? app : undefined) } as unknown as AppRegistry;
  const meter = createMeter();
  const gateway = createGateway({ config: resolveConfig({}), keys, apps, log, meter });
  const connect = async (query = `key=${KEY_ID}`) => {
    const ws = new FakeSocket();
    await gateway.accept(ws as unknown as WebSocket, { url: `/v1?${query}`, headers: {} } as IncomingMessage);
    return ws;
  };
  return { app, gateway, meter, connect };
}

describe("gateway socket listeners", () => {
  it("an admitted socket has one listener per event, the same functions for every socket", async () => {
    const { gateway, connect } = setup();
    const a = await connect();
    const b = await connect();
    expect(gateway.connections.size).toBe(2);
    for (const event of ["close", "error", "message", "pong"]) {
      expect(a.listenerCount(event)).toBe(1);
      expect(a.listeners(event)[0]).toBe(b.listeners(event)[0]);
    }
    expect(JSON.parse(a.sent[0] ?? "{}")).toMatchObject({ type: "welcome", metadata: {} });
  });

  it("sends the token's metadata in the welcome, then lets go of it", async () => {
    const { gateway, connect } = setup();
    const metadata = { room: "r1", note: "x".repeat(4_000) };
    const token = await new SignJWT({ channels: ["a/*"], permissions: ["subscribe"], metadata })
      .setProtectedHeader({ alg: "HS256", kid: SECRET_KEY_ID })
      .setSubject("alice")
      .setExpirationTime("1h")
      .sign(new TextEncoder().encode(SECRET));
    const ws = await connect(`token=${token}`);
    expect(JSON.parse(ws.sent[0] ?? "{}")).toMatchObject({ type: "welcome", peerId: "alice", metadata });
    const [connection] = gateway.connections;
    expect(connection?.identity.metadata).toBe(NO_METADATA);
  });

  it("close forgets the socket and its connection, and counts the close once", async () => {
    const { app, gateway, meter, connect } = setup();
    const ws = await connect();
    ws.emit("close", 1000);
    expect(gateway.sockets.size).toBe(0);
    expect(gateway.connections.size).toBe(0);
    expect(app.connections.size).toBe(0);
    expect([...meter.closes.values()].reduce((sum, n) => sum + n, 0)).toBe(1);
  });

  it("a refused socket is forgotten on close too", async () => {
    const { gateway, meter, connect } = setup();
    const ws = await connect("key=pk_live_unknown");
    expect(ws.closedWith).toBe(CloseCode.InvalidToken);
    expect(ws.listenerCount("message")).toBe(0);
    expect(gateway.sockets.size).toBe(1);
    ws.emit("close", CloseCode.InvalidToken);
    expect(gateway.sockets.size).toBe(0);
    expect(gateway.connections.size).toBe(0);
    expect([...meter.closes.values()].reduce((sum, n) => sum + n, 0)).toBe(1);
  });

  it("pong clears the connection's pending ping; errors are absorbed", async () => {
    const { gateway, connect } = setup();
    const ws = await connect();
    const [connection] = gateway.connections;
    if (!connection) throw new Error("not admitted");
    connection.pongPending = true;
    ws.emit("pong");
    expect(connection.pongPending).toBe(false);
    expect(() => ws.emit("error", new Error("boom"))).not.toThrow();
  });

  it("message dispatches to the socket's own connection", async () => {
    const { connect } = setup();
    const a = await connect();
    const b = await connect();
    a.emit("message", Buffer.from(JSON.stringify({ type: "ping", requestId: "r1" })), false);
    b.emit("message", Buffer.from("x"), true);
    expect(a.sent.map((s) => JSON.parse(s).type)).toEqual(["welcome", "pong"]);
    expect(JSON.parse(b.sent[1] ?? "{}")).toMatchObject({ type: "error", code: "malformed_message" });
  });
});

describe("transport fallback (a ws socket without `_socket`)", () => {
  it("is counted for every connection and warned about once; frames still arrive through ws.send", async () => {
    const lines: string[] = [];
    const log = pino({ level: "warn" }, { write: (line: string) => void lines.push(line) });
    const { meter, connect } = setup(log);
    const a = await connect();
    const b = await connect();
    expect(meter.transportFallbacks).toBe(2);
    const warnings = lines.map((l) => JSON.parse(l)).filter((l) => /_socket/.test(l.msg));
    expect(warnings).toHaveLength(1);
    expect(warnings[0].level).toBe(40);
    expect(JSON.parse(a.sent[0] ?? "{}").type).toBe("welcome");
    expect(JSON.parse(b.sent[0] ?? "{}").type).toBe("welcome");
  });
});
