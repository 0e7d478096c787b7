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
const clusterAt = (results) =>
  (results.machine?.parameters?.clusterSubscribers ?? []).map((n) => fmt(n)).join(" / ");
const clusterRate = (results) => fmt(results.machine?.parameters?.clusterRate);
/** One figure per cluster run (subscriber count), in the order of `clusterSubscribers`. */
const perRun = (e, render) => (e.runs ?? []).map(render).join(" / ");

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
    ...(results.machine?.parameters?.clusterSaturationAt ?? []).flatMap((n) => {
      const sat = (e) => e.runs?.find((r) => r.subscribers >= n * 0.95 && r.saturation)?.saturation;
      return [
        [
          `cluster saturation (2 nodes + Redis, 1 publisher on node 1 ramped as in fan-out) at ${fmt(n)} subscribers: max cross-node delivered/s (all delivered/s; publishes/s)`,
          (s) =>
            cell(cluster[s], (e) => {
              const r = sat(e);
              return r
                ? `${fmt(r.crossNodeDeliveredPerSec)} (${fmt(r.deliveredPerSec)}; ${fmt(r.publishRate)}/s)`
                : "–";
            }),
        ],
        [
          `cluster saturation at ${fmt(n)} subscribers: server CPU µs per delivery (both nodes)`,
          (s) => cell(cluster[s], (e) => fmt(sat(e)?.serverCpuUsPerDelivery, 2)),
        ],
        [
          `cluster saturation at ${fmt(n)} subscribers: cross-node delivered/s, Switchboard ÷ Socket.IO`,
          (s) => {
            if (s !== "switchboard") return "–";
            const [a, b] = [cluster.switchboard, cluster.socketio].map((e) => e && !e.error && sat(e));
            const x = ratio(a?.crossNodeDeliveredPerSec, b?.crossNodeDeliveredPerSec);
            return x === undefined ? "–" : `${fmt(x, 2)}×`;
          },
        ],
      ];
    }),
    [
      `cluster at the common load (1 publisher on node 1 at ${clusterRate(results)}/s) delivered/s, all (cross-node) at ${clusterAt(results)} subscribers`,
      (s) =>
        cell(cluster[s], (e) =>
          perRun(e, (r) => `${fmt(r.deliveredPerSec)} (${fmt(r.crossNodeDeliveredPerSec)})`),
        ),
    ],
    [
      `cluster at ${clusterRate(results)}/s: server CPU µs per delivery (both nodes) at ${clusterAt(results)} subscribers`,
      (s) => cell(cluster[s], (e) => perRun(e, (r) => fmt(r.serverCpuUsPerDelivery, 2))),
    ],
    ...(results.machine?.parameters?.clusterSubscribers ?? []).flatMap((n, i) => [
      [
        `cluster at ${clusterRate(results)}/s, ${fmt(n)} subscribers: latency ms cross-node p50 / p99, same-node p50`,
        (s) =>
          cell(cluster[s], (e) => {
            const r = e.runs?.[i];
            return r
              ? `${fmt(r.crossNode.p50Ms, 1)} / ${fmt(r.crossNode.p99Ms, 1)}, ${fmt(r.sameNode.p50Ms, 1)}`
              : "–";
          }),
      ],
      [
        `cluster at ${clusterRate(results)}/s, ${fmt(n)} subscribers: cross-node p50 − single-node p50 ms (single node, no Redis: p50 / p99)`,
        (s) =>
          cell(cluster[s], (e) => {
            const r = e.runs?.[i];
            return r?.singleNode
              ? `${fmt(r.crossNodeMinusSingleNodeP50Ms, 2)} (${fmt(r.singleNode.p50Ms, 1)} / ${fmt(r.singleNode.p99Ms, 1)})`
              : "n/a";
          }),
      ],
    ]),
    [
      `cluster at ${clusterRate(results)}/s: Redis commands per publish (PUBLISH per publish; all commands net of idle heartbeats) at ${clusterAt(results)} subscribers`,
      (s) =>
        cell(cluster[s], (e) =>
          perRun(
            e,
            (r) =>
              `${fmt(r.redisCmdsPerPublish, 2)} (${fmt(r.redisPublishPerPublish, 2)}; ${fmt(r.redisCmdsPerPublishNetOfIdle, 2)})`,
          ),
        ),
    ],
  ];
  const lines = [`| scenario | ${SYSTEMS.join(" | ")} |`, `|---|${SYSTEMS.map(() => "---:").join("|")}|`];
  for (const [label, render] of rows) lines.push(`| ${label} | ${SYSTEMS.map(render).join(" | ")} |`);
  return lines.join("\n");
}

const ratio = (a, b) => (typeof a === "number" && typeof b === "number" && b > 0 ? a / b : undefined);

/** Issue 11's cluster goals as `[goal, measured, met, unit]` rows (see {@link goals}). */
function clusterGoals(results) {
  const sb = results.cluster?.switchboard;
  const sio = results.cluster?.socketio;
  const runs = sb?.runs ?? [];
  const net = runs.map((r) => r.redisCmdsPerPublishNetOfIdle).filter((x) => typeof x === "number");
  const spread = net.length >= 2 ? Math.max(...net) - Math.min(...net) : undefined;
  const gaps = runs.map((r) => r.crossNodeMinusSingleNodeP50Ms).filter((x) => typeof x === "number");
  return [
    [
      "cluster: cross-node delivered/s ≥ 3× Socket.IO's (saturation)",
      ratio(sb?.maxCrossNodeDeliveredPerSec, sio?.maxCrossNodeDeliveredPerSec),
      (r) => r >= 3,
      "×",
    ],
    [
      `cluster: Redis commands per publish independent of subscribers (net of idle, spread over ${runs.map((r) => fmt(r.subscribers)).join(" / ")})`,
      spread,
      (r) => r <= 0.05,
      "",
    ],
    [
      "cluster: cross-node p50 within 1 ms of single-node (worst subscriber count)",
      gaps.length > 0 ? Math.max(...gaps) : undefined,
      (r) => r <= 1,
      " ms",
    ],
  ];
}

/** The goals of issues 5 and 11, each as measured in this run: `[goal, measured, met]` rows of a markdown table. */
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
    ...clusterGoals(results),
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
    `Cluster: a private redis-server, two nodes of the same system (Switchboard: \`connectRedisCluster\` and one shared SQLite store; Socket.IO: \`@socket.io/redis-adapter\`), subscribers split evenly over both, one publisher on node 1, at ${clusterAt(results)} subscribers in all; cross-node = subscribers on node 2; CPU is both nodes' per delivery. Common load: ${clusterRate(results)} publishes/s for latency, CPU and Redis commands per publish (the \`INFO commandstats\` calls of the measured interval ÷ publishes, the bench's own INFO excluded); Switchboard's single-node reference runs the same subscribers on one node without Redis at the same rate. Saturation (at ${fmt(results.machine?.parameters?.clusterSaturationAt?.[0])} subscribers): the publish rate doubles per step from ${clusterRate(results)}/s as in fan-out (plus one step halfway if the best step still kept up), then the best rate runs ${fmt((results.machine?.parameters?.clusterSaturationMs ?? 0) / 1000)} s measured; the Switchboard ÷ Socket.IO ratio uses these figures.`,
    "On 2 shared cores the clients' per-frame receive cost also limits the systems that write one frame per syscall, so compare server CPU per delivery first. `n/a`: the scenario does not apply to that system.",
  ].join("\n");
}

export function writeOutputs(results) {
  mkdirSync(`${root}bench/results`, { recursive: true });
  writeFileSync(`${root}bench/results/latest.json`, `${JSON.stringify(results, null, 2)}\n`);
  const block = `${START}\n${describe(results)}\n\n${table(results)}\n\nGoals (issues 5 and 11) in this run:\n\n${goals(results)}\n${END}`;
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
