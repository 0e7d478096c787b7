// Idle / connect load generator. argv: system infoJSON count localAddress [window] [sub|nosub]
// Signs tokens up front, replies {ready}; on {cmd:"open"} opens `count` subscribed connections and
// replies {opened, failed, elapsedMs}; holds them until SIGTERM or {cmd:"close"}.
import { adapters, openMany } from "../lib/adapters.mjs";
import { commands, exitWithoutTimeWait, reply } from "../lib/proc.mjs";

const [system, infoJson, count, localAddress, window = "200", mode = "sub"] = process.argv.slice(2);
const adapter = await adapters[system](JSON.parse(infoJson), localAddress, { subscribe: mode !== "nosub" });
const n = Number(count);
const tokens = await Promise.all(Array.from({ length: n }, (_, i) => adapter.sign(i)));
let conns = [];
commands(async (c) => {
  if (c.cmd === "open") {
    const r = await openMany(adapter, n, { tokens, window: Number(window) });
    conns = r.conns;
    reply({ opened: conns.length, failed: r.failed, elapsedMs: r.elapsedMs, errors: r.errors });
  } else if (c.cmd === "close") {
    for (const conn of conns) conn.close();
    conns = [];
    reply({ closed: true });
  }
});
process.on("SIGTERM", exitWithoutTimeWait);
reply({ ready: true });
