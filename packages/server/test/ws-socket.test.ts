/**
 * The transport writes pre-built frames straight to ws's private `_socket` (transport.ts), so it
 * depends on a detail of ws that is not API: ws is pinned to a minor range, this file checks that a
 * real ws server socket still exposes it, and a real server counts the fallback that would lose
 * corking (`switchboard_transport_fallbacks_total`, 0 here).
 */
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage } from "node:http";
import { createRequire } from "node:module";
import { type AddressInfo, Socket } from "node:net";
import { describe, expect, it } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import { startServer } from "./helpers.js";
import { scrape } from "./prometheus.js";

const require = createRequire(import.meta.url);
const serverPackage = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
  dependencies: Record<string, string>;
};

describe("ws's underlying socket", () => {
  it("ws is pinned to a minor range, and the installed ws is in it", () => {
    const range = serverPackage.dependencies.ws ?? "";
    const pinned = /^~(\d+)\.(\d+)\.\d+$/.exec(range);
    expect(pinned, `ws range ${range} must be ~MAJOR.MINOR.PATCH`).not.toBeNull();
    const installed = (require("ws/package.json") as { version: string }).version;
    expect(installed.split(".").slice(0, 2)).toEqual([pinned?.[1], pinned?.[2]]);
  });

  it("a real server-side ws socket exposes `_socket`: the upgraded net.Socket", async () => {
    const http = createServer();
    const wss = new WebSocketServer({ noServer: true });
    const accepted = new Promise<{ ws: WebSocket; req: IncomingMessage }>((resolve) => {
      http.on("upgrade", (req, socket, head) =>
        wss.handleUpgrade(req, socket, head, (ws) => resolve({ ws, req })),
      );
    });
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    const client = new WebSocket(`ws://127.0.0.1:${(http.address() as AddressInfo).port}`);
    client.on("error", () => {});
    await new Promise((resolve) => client.once("open", resolve));
    try {
      const { ws, req } = await accepted;
      const raw = (ws as unknown as { _socket?: unknown })._socket;
      expect(raw).toBeInstanceOf(Socket);
      expect(raw).toBe(req.socket);
      ws.terminate();
    } finally {
      client.terminate();
      wss.close();
      http.close();
    }
  });

  it("a real server never falls back: switchboard_transport_fallbacks_total stays 0 with clients connected", async () => {
    const ts = await startServer();
    try {
      const a = await ts.connectPk();
      const b = await ts.connectPk();
      await a.quiet();
      await b.quiet();
      expect((await scrape(ts.httpUrl)).get("switchboard_transport_fallbacks_total")).toBe(0);
    } finally {
      await ts.stop();
    }
  });
});
