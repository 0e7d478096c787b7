// Scenario "presence storm" (issue 10 item 3): N clients (default 2,000) join one channel as fast as
// they connect, each with the presence action. Reports the presence frames delivered to all of them
// against the N·(N−1)/2 `joined` frames an uncoalesced server sends (goal ≤ 10 %), and the time from
// the first connect until every client's view holds all N peers (itself included).
// Part of `npm run bench` (`--only=presence`); alone: `node bench/scenarios/presence-storm.mjs [N]`.
import { pathToFileURL } from "node:url";
import { nowUs } from "../lib/hdr.mjs";
import { cpuMicros, sleep, spawnJson, spread } from "../lib/proc.mjs";

const log = (...a) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...a);

/** Runs the storm against `system` (Switchboard only: the others have no presence); undefined otherwise. */
export async function presenceStorm(system, { clients = 2_000, procs = 4 } = {}) {
  if (system !== "switchboard") return undefined;
  const server = spawnJson("systems/switchboard-server.mjs");
  const all = [server];
  try {
    const info = await server.next(60_000);
    await sleep(300);
    const parts = spread(clients, procs);
    const gens = parts.map((p) =>
      spawnJson("load/presence-client.mjs", [JSON.stringify(info), p.n, clients, p.addr]),
    );
    all.push(...gens);
    await Promise.all(gens.map((g) => g.next(60_000))); // ready: tokens signed
    const cpu0 = cpuMicros(info.pid);
    const t0 = nowUs();
    for (const g of gens) g.send({ cmd: "join", timeoutMs: 120_000 });
    const rs = await Promise.all(gens.map((g) => g.next(180_000)));
    const serverCpuMs = (cpuMicros(info.pid) - cpu0) / 1000;
    const sum = (key) => rs.reduce((s, r) => s + r[key], 0);
    const uncoalesced = (clients * (clients - 1)) / 2;
    const presenceFrames = sum("presenceFrames");
    const complete = sum("complete");
    const result = {
      clients,
      opened: sum("opened"),
      viewsComplete: complete,
      presenceFrames,
      uncoalescedFrames: uncoalesced,
      percentOfUncoalesced: Math.round((presenceFrames / uncoalesced) * 1000) / 10,
      allViewsCompleteMs:
        complete === clients ? Math.round((Math.max(...rs.map((r) => r.doneAtUs)) - t0) / 1000) : null,
      serverCpuMs: Math.round(serverCpuMs),
    };
    const errors = rs.flatMap((r) => r.errors);
    if (errors.length > 0) result.errors = errors.slice(0, 3);
    log(
      system,
      `presence storm: ${clients} clients, ${presenceFrames} presence frames (${result.percentOfUncoalesced} % of ${uncoalesced} uncoalesced), every view complete after ${result.allViewsCompleteMs} ms, server CPU ${result.serverCpuMs} ms`,
    );
    return result;
  } finally {
    await Promise.all(all.map((p) => p.stop().catch(() => {})));
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const clients = Number(process.argv[2] ?? 2_000);
  console.log(JSON.stringify(await presenceStorm("switchboard", { clients }), null, 2));
  process.exit(0);
}
