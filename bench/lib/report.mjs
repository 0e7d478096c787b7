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

const commonLoad = (results) => fmt(results.machine?.parameters?.commonLoad);

export function table(results) {
  const {
    fanout = {},
    idleMemory = {},
    connectRate = {},
    directRtt = {},
    cluster = {},
    presenceStorm = {},
    patternAttack = {},
  } = results;
  const rows = [
    ["fan-out subscribers", (s) => cell(fanout[s], (e) => fmt(e.subscribers))],
    ["fan-out delivered msgs/s at saturation", (s) => cell(fanout[s], (e) => fmt(e.deliveredPerSec))],
    ["server CPU µs per delivery", (s) => cell(fanout[s], (e) => fmt(e.serverCpuUsPerDelivery, 2))],
    [
      "latency p50 / p99 / p99.9 ms at ½ saturation",
      (s) => cell(fanout[s], (e) => `${fmt(e.p50Ms, 1)} / ${fmt(e.p99Ms, 1)} / ${fmt(e.p999Ms, 1)}`),
    ],
    [
      `latency p50 / p99 / p99.9 ms at ${commonLoad(results)} deliveries/s (all systems)`,
      (s) =>
        cell(fanout[s]?.atCommonLoad, (e) => `${fmt(e.p50Ms, 1)} / ${fmt(e.p99Ms, 1)} / ${fmt(e.p999Ms, 1)}`),
    ],
    [
      `server CPU µs per delivery at ${commonLoad(results)} deliveries/s`,
      (s) => cell(fanout[s]?.atCommonLoad, (e) => fmt(e.serverCpuUsPerDelivery, 2)),
    ],
    ["idle connections", (s) => cell(idleMemory[s], (e) => fmt(e.connections))],
    [
      "server RSS per idle connection",
      (s) => cell(idleMemory[s], (e) => `${fmt(e.bytesPerConnection / 1024, 1)} KB`),
    ],
    ["JWT connects → welcome /s", (s) => cell(connectRate[s], (e) => fmt(e.perSec))],
    [
      "server CPU µs per JWT connect (→ connects/s on one core)",
      (s) => cell(connectRate[s], (e) => `${fmt(e.serverCpuUsPerConnect)} (${fmt(e.perSecOneCore)}/s)`),
    ],
    [
      "direct send round trip p50 / p99 ms",
      (s) => cell(directRtt[s], (e) => `${fmt(e.p50Ms, 2)} / ${fmt(e.p99Ms, 2)}`),
    ],
    [
      "presence storm: frames delivered (% of uncoalesced N·(N−1)/2) / ms until every view is complete",
      (s) =>
        cell(
          presenceStorm[s],
          (e) =>
            `${fmt(e.presenceFrames)} (${fmt(e.percentOfUncoalesced, 1)} %) / ${fmt(e.allViewsCompleteMs)}`,
        ),
    ],
    [
      "pattern attack: honest publish→ack p99 / crafted POST /v1/tokens p99 / 100-pattern handshake p99 / uncovered frame p99 ms",
      (s) =>
        cell(
          patternAttack[s],
          (e) =>
            `${fmt(e.honestPublishAckDuringAttack.p99Ms, 2)} / ${fmt(e.craftedTokenRequest.p99Ms, 2)} / ${fmt(e.handshake100CraftedRefused.p99Ms, 2)} / ${fmt(e.uncoveredFrame.p99Ms, 2)}`,
        ),
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

const ratio = (a, b) => (typeof a === "number" && typeof b === "number" && b > 0 ? a / b : undefined);

/** Issue 5's goals, each as measured in this run: `[goal, measured, met]` rows of a markdown table. */
export function goals(results) {
  const f = results.fanout ?? {};
  const sb = f.switchboard ?? {};
  const raw = f["raw-ws"] ?? {};
  const sio = f.socketio ?? {};
  const rows = [
    [
      "server CPU per delivery ≤ 0.6× raw ws",
      ratio(sb.serverCpuUsPerDelivery, raw.serverCpuUsPerDelivery),
      (r) => r <= 0.6,
      "×",
    ],
    [
      "fan-out throughput ≥ 1.5× raw ws",
      ratio(sb.deliveredPerSec, raw.deliveredPerSec),
      (r) => r >= 1.5,
      "×",
    ],
    [
      "fan-out throughput ≥ 1.5× Socket.IO",
      ratio(sb.deliveredPerSec, sio.deliveredPerSec),
      (r) => r >= 1.5,
      "×",
    ],
    [
      "p99 latency ≤ 1.5× raw ws (each at ½ its saturation)",
      ratio(sb.p99Ms, raw.p99Ms),
      (r) => r <= 1.5,
      "×",
    ],
    [
      `p99 latency ≤ 1.5× raw ws (both at ${commonLoad(results)} deliveries/s)`,
      ratio(sb.atCommonLoad?.p99Ms, raw.atCommonLoad?.p99Ms),
      (r) => r <= 1.5,
      "×",
    ],
    [
      "≤ 12 KB RSS per idle authenticated connection",
      ratio(results.idleMemory?.switchboard?.bytesPerConnection, 1024),
      (r) => r <= 12,
      " KB",
    ],
    [
      "presence storm: ≤ 10 % of the uncoalesced presence frames",
      results.presenceStorm?.switchboard?.percentOfUncoalesced,
      (r) => r <= 10,
      " %",
    ],
    ...[
      ["pattern attack: honest publish → ack p99 ≤ 5 ms", "honestPublishAckDuringAttack", 5],
      ["pattern attack: crafted POST /v1/tokens ≤ 10 ms each (p99)", "craftedTokenRequest", 10],
      ["pattern attack: handshake with 100 crafted patterns ≤ 10 ms (p99)", "handshake100CraftedRefused", 10],
      ["pattern attack: frame to an uncovered name ≤ 1 ms (p99)", "uncoveredFrame", 1],
    ].map(([goal, key, max]) => [
      goal,
      results.patternAttack?.switchboard?.[key]?.p99Ms,
      (r) => r <= max,
      " ms",
    ]),
    [
      "≥ 3,000 JWT connects/s on one process",
      results.connectRate?.switchboard?.perSec,
      (r) => r >= 3000,
      "/s",
    ],
  ];
  const lines = ["| goal | measured | met |", "|---|---:|:---:|"];
  for (const [goal, value, ok, unit] of rows)
    lines.push(
      value === undefined
        ? `| ${goal} | not measured | – |`
        : `| ${goal} | ${fmt(value, unit === "/s" ? 0 : 2)}${unit} | ${ok(value) ? "yes" : "no"} |`,
    );
  return lines.join("\n");
}

function describe(results) {
  const m = results.machine;
  return [
    `Measured by \`npm run bench${m.mode === "full" ? " -- --full" : ""}\` (${m.mode} mode) on ${m.date.slice(0, 10)}: ${m.cpuModel}, ${m.cores} cores, ${fmt(m.ramBytes / 2 ** 30, 0)} GiB RAM, Node ${m.node}.`,
    "Servers and load generators are separate processes sharing the same cores (ratios between systems travel better than absolute figures).",
    `Fan-out: one channel/room, ~100-byte messages, publish rate doubled per step until delivery falls behind; CPU is the server's utime+stime per delivered message at saturation; latency (publish → receive, HDR histogram, one monotonic clock for all processes) at half of each system's own saturation rate, and at one common load for all (${commonLoad(results)} deliveries/s, about raw ws's own half-saturation point here). "Cores busy" in latest.json splits the machine between the server and the load generators. \`raw-ws\` is a bare \`ws\` server echoing every frame to every other socket (no auth, no channels); \`socketio\` is Socket.IO 4 rooms over the websocket transport.`,
    m.mode === "full"
      ? "Idle memory: 15,000 subscribed connections per system; connect rate: 10,000 JWT connects."
      : "Quick mode uses 2,000 fan-out subscribers, 15,000 idle connections and 4,000 JWT connects; `npm run bench -- --full` runs 10,000 / 15,000 / 10,000.",
    "Connect rate: bare TCP clients send a pre-built upgrade request with a pre-signed JWT and count the `welcome` frame (200 handshakes in flight per client process); the server's CPU per connect gives the rate one process with a core to itself sustains.",
    "On 2 shared cores the clients' per-frame receive cost also limits the systems that write one frame per syscall, so compare server CPU per delivery first. `n/a`: the scenario does not apply to that system.",
  ].join("\n");
}

export function writeOutputs(results) {
  mkdirSync(`${root}bench/results`, { recursive: true });
  writeFileSync(`${root}bench/results/latest.json`, `${JSON.stringify(results, null, 2)}\n`);
  const block = `${START}\n${describe(results)}\n\n${table(results)}\n\nIssue 5's goals in this run:\n\n${goals(results)}\n${END}`;
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
