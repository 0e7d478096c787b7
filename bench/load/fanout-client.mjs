// Fan-out load generator. argv: system infoJSON count localAddress [role: sub|pub, informational]
// Commands on stdin (JSON lines): open → {opened, failed}; reset → {ok}; report → {received, hist};
// publish {rate, ms} (pub role) → {sent}. Payload timestamps are host-clock µs (same machine).
import { adapters, openMany } from "../lib/adapters.mjs";
import { createHistogram, nowUs } from "../lib/hdr.mjs";
import { commands, exitWithoutTimeWait, reply } from "../lib/proc.mjs";

const [system, infoJson, count, localAddress] = process.argv.slice(2);
const adapter = await adapters[system](JSON.parse(infoJson), localAddress);
const hist = createHistogram();
let received = 0;
let conns = [];
const pad = "x".repeat(64); // ~100-byte frames with the timestamp and framing

commands(async (c) => {
  if (c.cmd === "open") {
    const n = Number(count);
    const tokens = await Promise.all(Array.from({ length: n }, (_, i) => adapter.sign(i)));
    const r = await openMany(adapter, n, { tokens });
    conns = r.conns;
    for (const conn of conns)
      conn.onData((d) => {
        received += 1;
        if (d && typeof d.t === "number") hist.record(nowUs() - d.t);
      });
    reply({ opened: conns.length, failed: r.failed, errors: r.errors });
  } else if (c.cmd === "reset") {
    received = 0;
    hist.reset();
    reply({ ok: true });
  } else if (c.cmd === "report") {
    reply({ received, hist: c.hist ? hist.export() : null });
  } else if (c.cmd === "publish") {
    const pub = conns[0];
    let sent = 0;
    const t0 = performance.now();
    await new Promise((resolve) => {
      const tick = setInterval(() => {
        const el = performance.now() - t0;
        if (el >= c.ms) {
          clearInterval(tick);
          return resolve();
        }
        const due = Math.floor((c.rate * el) / 1000);
        for (; sent < due; sent++) pub.publish({ t: nowUs(), p: pad });
      }, 2);
    });
    reply({ sent });
  }
});
process.on("SIGTERM", exitWithoutTimeWait);
reply({ ready: true });
