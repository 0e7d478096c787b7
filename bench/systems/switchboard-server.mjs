// Switchboard node for the bench on a fresh data dir; prints {port, pid, keyId, secret} once listening.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer, openSqliteStore } from "../../packages/server/dist/index.js";
import { closeOnSignal } from "../lib/close-on-signal.mjs";

const dataDir = mkdtempSync(join(tmpdir(), "sb-bench-"));
const { store } = await openSqliteStore({ dataDir });
const app = await store.defaultApp();
const { key, secret } = await store.createKey({ type: "secret", appId: app.id });
const server = createServer(
  {
    port: 0,
    connectRatePerIp: 0,
    maxConnections: 19_000,
    // The bench publishes from one connection far above the default 100 frames/s client budget,
    // and raw ws / Socket.IO have no slow-consumer cut-off, so both limits are lifted here.
    rateFramesPerSec: 1_000_000,
    rateBurst: 1_000_000,
    sendBufferLimitBytes: 256 * 2 ** 20,
  },
  { store },
);
const { port } = await server.listen();
process.stdout.write(`${JSON.stringify({ port, pid: process.pid, keyId: key.id, secret })}\n`);

closeOnSignal(server, store, dataDir);
