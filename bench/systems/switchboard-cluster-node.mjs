// Switchboard cluster node for the bench: argv redisUrl [dataDir]. Without a data dir it creates a
// fresh one and a secret key, and prints {port, pid, keyId, secret, dataDir} once listening; with
// one (the first node's) it opens that same SQLite store and prints {port, pid, dataDir}. Nodes talk
// through `connectRedisCluster({url})` (broker + presence on Redis); limits lifted as in
// switchboard-server.mjs. Only the node that created the data dir removes it on SIGTERM.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as sb from "../../packages/server/dist/index.js";
import { closeOnSignal } from "../lib/close-on-signal.mjs";

const [url, sharedDir] = process.argv.slice(2);
if (typeof sb.connectRedisCluster !== "function") {
  console.error("packages/server/dist has no connectRedisCluster export (run `npm run build`?)");
  process.exit(2);
}
const dataDir = sharedDir ?? mkdtempSync(join(tmpdir(), "sb-bench-cluster-"));
const { store } = await sb.openSqliteStore({ dataDir });
let key = {};
if (!sharedDir) {
  const app = await store.defaultApp();
  const created = await store.createKey({ type: "secret", appId: app.id });
  key = { keyId: created.key.id, secret: created.secret };
}
const cluster = await sb.connectRedisCluster({ url });
const server = sb.createServer(
  {
    port: 0,
    connectRatePerIp: 0,
    maxConnections: 19_000,
    rateFramesPerSec: 1_000_000,
    rateBurst: 1_000_000,
    sendBufferLimitBytes: 256 * 2 ** 20,
  },
  { store, cluster },
);
const { port } = await server.listen();
process.stdout.write(`${JSON.stringify({ port, pid: process.pid, ...key, dataDir })}\n`);

closeOnSignal(server, store, sharedDir ? null : dataDir);
