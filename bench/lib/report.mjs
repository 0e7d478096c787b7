// Renders results as a markdown table, writes bench/results/latest.json and README's Performance section.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";

const root = new URL("../../", import.meta.url).pathname;
export const SYSTEMS = ["switchboard", "raw-ws", "socketio"];
const START = "<!-- bench:start -->";
const END = "<!-- bench:end -->";

const fmt = (v, digits = 0) =>
  typeof v === "number"
    ? v.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : "–";

function cell(entry, render) {
  if (!entry) return "n/a";
  if (entry.error) return `error: ${entry.error}`;
  return render(entry);
}

export function table(results) {
  const { fanout = {}, idleMemory = {}, connectRate = {}, directRtt = {}, cluster = {} } = results;
  const rows = [
    ["fan-out subscribers", (s) => cell(fanout[s], (e) => fmt(e.subscribers))],
    ["fan-out delivered msgs/s at saturation", (s) => cell(fanout[s], (e) => fmt(e.deliveredPerSec))],
    ["server CPU µs per delivery", (s) => cell(fanout[s], (e) => fmt(e.serverCpuUsPerDelivery, 2))],
    [
      "latency p50 / p99 / p99.9 ms at ½ saturation",
      (s) => cell(fanout[s], (e) => `${fmt(e.p50Ms, 1)} / ${fmt(e.p99Ms, 1)} / ${fmt(e.p999Ms, 1)}`),
    ],
    ["idle connections", (s) => cell(idleMemory[s], (e) => fmt(e.connections))],
    [
      "server RSS per idle connection",
      (s) => cell(idleMemory[s], (e) => `${fmt(e.bytesPerConnection / 1024, 1)} KB`),
    ],
    ["JWT connects → welcome /s", (s) => cell(connectRate[s], (e) => fmt(e.perSec))],
    [
      "direct send round trip p50 / p99 ms",
      (s) => cell(directRtt[s], (e) => `${fmt(e.p50Ms, 2)} / ${fmt(e.p99Ms, 2)}`),
    ],
    [
      "cluster (2 nodes + Redis) delivered/s",
      (s) => cell(cluster[s], (e) => `${fmt(e.deliveredPerSec)} (${e.nodes} nodes)`),
    ],
  ];
  const lines = [`| scenario | ${SYSTEMS.join(" | ")} |`, `|---|${SYSTEMS.map(() => "---:").join("|")}|`];
  for (const [label, render] of rows) lines.push(`| ${label} | ${SYSTEMS.map(render).join(" | ")} |`);
  return lines.join("\n");
}

function describe(results) {
  const m = results.machine;
  return [
    `Measured by \`npm run bench${m.mode === "full" ? " -- --full" : ""}\` (${m.mode} mode) on ${m.date.slice(0, 10)}: ${m.cpuModel}, ${m.cores} cores, ${fmt(m.ramBytes / 2 ** 30, 0)} GiB RAM, Node ${m.node}.`,
    "Servers and load generators are separate processes sharing the same cores (ratios between systems travel better than absolute figures).",
    "Fan-out: one channel/room, ~100-byte messages, publish rate doubled per step until delivery falls behind; CPU is the server's utime+stime per delivered message at saturation; latency (publish → receive, HDR histogram) at half the saturation rate. `raw-ws` is a bare `ws` server echoing every frame to every other socket (no auth, no channels); `socketio` is Socket.IO 4 rooms over the websocket transport.",
    m.mode === "full"
      ? "Idle memory: 15,000 subscribed connections per system; connect rate: 10,000 JWT connects."
      : "Quick mode uses 2,000 fan-out subscribers, 5,000 idle connections (not 15,000) and 4,000 JWT connects; `npm run bench -- --full` runs 10,000 / 15,000 / 10,000.",
    "On 2 shared cores the clients' per-frame receive cost also limits the systems that write one frame per syscall, so compare server CPU per delivery first. `n/a`: the scenario does not apply to that system.",
  ].join("\n");
}

export function writeOutputs(results) {
  mkdirSync(`${root}bench/results`, { recursive: true });
  writeFileSync(`${root}bench/results/latest.json`, `${JSON.stringify(results, null, 2)}\n`);
  const block = `${START}\n${describe(results)}\n\n${table(results)}\n${END}`;
  const readmePath = `${root}README.md`;
  let readme = readFileSync(readmePath, "utf8");
  if (readme.includes(START) && readme.includes(END)) {
    readme = readme.slice(0, readme.indexOf(START)) + block + readme.slice(readme.indexOf(END) + END.length);
  } else {
    const section = `## Performance\n\n${block}\n\n`;
    const at = readme.indexOf("## Documentation");
    readme = at >= 0 ? readme.slice(0, at) + section + readme.slice(at) : `${readme.trimEnd()}\n\n${section}`;
  }
  writeFileSync(readmePath, readme);
}
