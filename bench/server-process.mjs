// Runs one Switchboard node for the benchmarks on a fresh data dir and prints one JSON line
// {port, pid, keyId, secret} on stdout once it accepts connections.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer, openSqliteStore } from "../packages/server/dist/index.js";

const dataDir = mkdtempSync(join(tmpdir(), "sb-bench-"));
const { store } = await openSqliteStore({ dataDir });
const app = await store.defaultApp();
const { key, secret } = await store.createKey({ type: "secret", appId: app.id });
const server = createServer({ port: 0, connectRatePerIp: 0, maxConnections: 19_000 }, { store });
const { port } = await server.listen();
process.stdout.write(`${JSON.stringify({ port, pid: process.pid, keyId: key.id, secret })}\n`);

const stop = async () => {
  await server.close();
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
