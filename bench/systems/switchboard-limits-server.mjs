// Switchboard node with the DEFAULT client limits (100 frames/s, burst 200), for scenarios that
// measure what those limits bound (pattern attack); bench/systems/switchboard-server.mjs lifts them.
// Prints {port, pid, pk, keyId, secret, narrowId, narrowSecret} once listening: `keyId`/`secret` a
// secret key with the default `**` scope, `narrow*` one limited to NARROW_PATTERNS.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer, openSqliteStore } from "../../packages/server/dist/index.js";
import { closeOnSignal } from "../lib/close-on-signal.mjs";

import { NARROW_PATTERNS } from "../lib/patterns.mjs";

const dataDir = mkdtempSync(join(tmpdir(), "sb-bench-limits-"));
const { store } = await openSqliteStore({ dataDir });
const app = await store.defaultApp();
const wide = await store.createKey({ type: "secret", appId: app.id });
const narrow = await store.createKey({ type: "secret", appId: app.id, channelPatterns: NARROW_PATTERNS });
const pk = await store.createKey({ type: "publishable", appId: app.id });
const server = createServer({ port: 0, connectRatePerIp: 0, restRatePerSec: 10_000 }, { store });
const { port } = await server.listen();
process.stdout.write(
  `${JSON.stringify({
    port,
    pid: process.pid,
    pk: pk.key.id,
    keyId: wide.key.id,
    secret: wide.secret,
    narrowId: narrow.key.id,
    narrowSecret: narrow.secret,
  })}\n`,
);

closeOnSignal(server, store, dataDir);
