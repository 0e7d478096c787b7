// Direct `send` round trip (Switchboard only). argv: system infoJSON count localAddress
// Opens A and B; A sends {t} to B, B sends it back to A; `count` sequential round trips.
// Replies {ready}, then on {cmd:"run"} → {roundTrips, hist}.
import { adapters } from "../lib/adapters.mjs";
import { createHistogram, nowUs } from "../lib/hdr.mjs";
import { commands, exitWithoutTimeWait, reply } from "../lib/proc.mjs";

const [system, infoJson, count, localAddress] = process.argv.slice(2);
const adapter = await adapters[system](JSON.parse(infoJson), localAddress, { subscribe: false });
const [a, b] = await Promise.all([0, 1].map(async (i) => adapter.connect(i, await adapter.sign(`d${i}`))));
if (!a.send) throw new Error(`${system} has no direct send`);
const hist = createHistogram();
b.onData((d) => b.send(a.peerId, d));
commands(async (c) => {
  if (c.cmd !== "run") return;
  const n = Number(count);
  const warm = Math.min(200, n);
  let done = 0;
  await new Promise((resolve) => {
    a.onData((d) => {
      if (done >= warm) hist.record(nowUs() - d.t);
      done += 1;
      if (done >= n + warm) return resolve();
      a.send(b.peerId, { t: nowUs() });
    });
    a.send(b.peerId, { t: nowUs() });
  });
  reply({ roundTrips: n, hist: hist.export() });
});
process.on("SIGTERM", exitWithoutTimeWait);
reply({ ready: true });
