// Switchboard node for the bench; argv: [redisUrl [dataDir]]. Without arguments: one node on a fresh
// data dir. With a Redis URL: a cluster node (`connectRedisCluster`); without a data dir it makes a
// fresh one, the first node of the cluster, and the others open that same SQLite store. Prints
// {port, pid, dataDir} once listening, plus {keyId, secret} of a new secret key when it made the dir.
// Only the node that made the data dir removes it on SIGTERM.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectRedisCluster, createServer, openSqliteStore } from "../../packages/server/dist/index.js";
import { closeOnSignal } from "../lib/close-on-signal.mjs";

const [redisUrl, sharedDir] = process.argv.slice(2);
const dataDir = sharedDir ?? mkdtempSync(join(tmpdir(), "sb-bench-"));
const { store } = await openSqliteStore({ dataDir });
let key = {};
if (!sharedDir) {
  const app = await store.defaultApp();
  const created = await store.createKey({ type: "secret", appId: app.id });
  key = { keyId: created.key.id, secret: created.secret };
}
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
  redisUrl === undefined ? { store } : { store, cluster: connectRedisCluster({ url: redisUrl }) },
);
const { port } = await server.listen();
process.stdout.write(`${JSON.stringify({ port, pid: process.pid, ...key, dataDir })}\n`);

closeOnSignal(server, store, sharedDir ? null : dataDir);
