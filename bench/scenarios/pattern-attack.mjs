// Scenario "pattern attack" (issue 10 item 1): with bench/load/pattern-attacker.mjs running its
// attacks (100 crafted subscription patterns on one pk connection publishing at 90/s, crafted
// subscribe coverage checks, crafted `POST /v1/tokens`, crafted handshakes), measures against a
// server with the default client limits:
// - an honest client's publish → ack round trip (p50/p99; also before the attack starts);
// - each crafted `POST /v1/tokens` (100 crafted channels on a narrow key → 403);
// - a handshake with 100 crafted patterns: refused (narrow key, → 4003) and admitted (`**` key);
// - a frame to a name outside a connection's 100 crafted patterns (→ channel_not_authorized).
// Goals: publish p99 ≤ 5 ms, tokens ≤ 10 ms each, handshake ≤ 10 ms, uncovered frame ≤ 1 ms.
// Part of `npm run bench` (`--only=patterns`); alone: `node bench/scenarios/pattern-attack.mjs`
// (needs `npm run build`).
import { pathToFileURL } from "node:url";
import { SignJWT } from "jose";
import WebSocket from "ws";
import { CRAFTED_CHANNELS, HONEST_CHANNEL } from "../lib/patterns.mjs";
import { cpuMicros, sleep, spawnJson } from "../lib/proc.mjs";

const log = (...a) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...a);
const r2 = (v) => Math.round(v * 100) / 100;
const OUTSIDE = `${"a".repeat(200)}/c`; // ends like the crafted patterns, matched by none

/** A minimal JSON-frame client: `request(frame)` resolves with the next frame after sending it. */
function connect(url) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const ws = new WebSocket(url, { perMessageDeflate: false, localAddress: "127.0.0.2" });
    const waiters = [];
    const closed = new Promise((r) => ws.on("close", (code) => r({ code, ms: performance.now() - t0 })));
    ws.on("error", () => {});
    ws.on("message", (data) => {
      const frame = JSON.parse(String(data));
      if (frame.type === "welcome") resolve(client(performance.now() - t0));
      else waiters.shift()?.(frame);
    });
    void closed.then((c) => reject(Object.assign(new Error(`closed ${c.code}`), c)));
    const client = (welcomeMs) => ({
      ws,
      welcomeMs,
      closed,
      request(frame) {
        return new Promise((r) => {
          waiters.push(r);
          ws.send(JSON.stringify(frame));
        });
      },
      /** Waits for the next frame without sending anything. */
      next: () => new Promise((r) => waiters.push(r)),
    });
  });
}

/** p50/p99/max of millisecond samples. */
function summary(samples) {
  const sorted = [...samples].sort((x, y) => x - y);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { n: sorted.length, p50Ms: r2(at(0.5)), p99Ms: r2(at(0.99)), maxMs: r2(sorted.at(-1)) };
}

async function honestRoundTrips(pub, ms) {
  const samples = [];
  const end = performance.now() + ms;
  let i = 0;
  while (performance.now() < end) {
    const t0 = performance.now();
    const ack = await pub.request({
      type: "publish",
      channel: HONEST_CHANNEL,
      data: i,
      requestId: `h${i++}`,
    });
    if (ack.type !== "ack") throw new Error(`honest publish answered ${JSON.stringify(ack)}`);
    samples.push(performance.now() - t0);
    await sleep(20); // 50 publishes/s: well within the default 100 frames/s
  }
  return summary(samples);
}

/** Runs the scenario (Switchboard only: the others have no patterns); undefined for other systems. */
export async function patternAttack(system, { honestMs = 5_000, samples = 40, nodeArgs = [] } = {}) {
  if (system !== "switchboard") return undefined;
  const server = spawnJson("systems/switchboard-limits-server.mjs", [], { nodeArgs });
  const procs = [server];
  try {
    const info = await server.next(60_000);
    await sleep(300);
    const base = `ws://127.0.0.1:${info.port}/v1`;
    const sign = (kid, secret, channels) =>
      new SignJWT({ channels, permissions: ["subscribe", "publish"] })
        .setProtectedHeader({ alg: "HS256", kid })
        .setSubject(`measure-${Math.random().toString(36).slice(2)}`)
        .setExpirationTime("2h")
        .sign(new TextEncoder().encode(secret));

    const sub = await connect(`${base}?key=${info.pk}`);
    await sub.request({ type: "subscribe", channel: HONEST_CHANNEL, requestId: "s" }); // ack
    const pub = await connect(`${base}?key=${info.pk}`);
    await honestRoundTrips(pub, 1_000); // warm-up
    const before = await honestRoundTrips(pub, honestMs);

    const attacker = spawnJson("load/pattern-attacker.mjs", [JSON.stringify(info)]);
    procs.push(attacker);
    await attacker.next(60_000); // ready
    attacker.send({ cmd: "start" });
    const started = await attacker.next(60_000);
    await sleep(1_000);
    const cpu0 = cpuMicros(info.pid);
    const t0 = performance.now();
    const during = await honestRoundTrips(pub, honestMs);
    const serverCores = r2((cpuMicros(info.pid) - cpu0) / 1e3 / (performance.now() - t0));

    const tokenMs = [];
    const tokenStatuses = new Set();
    // Three uncounted requests first: the measuring process's own first fetch (connection pool,
    // JIT) is not the server's cost.
    for (let i = -3; i < samples; i++) {
      const t = performance.now();
      const res = await fetch(`http://127.0.0.1:${info.port}/v1/tokens`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${info.narrowId}:${info.narrowSecret}`,
          "content-type": "application/json",
        },
        body: JSON.stringify({ peerId: "measure", channels: CRAFTED_CHANNELS }),
      });
      await res.text();
      if (i >= 0) tokenMs.push(performance.now() - t);
      tokenStatuses.add(res.status);
    }

    const refusedMs = [];
    const refusedCodes = new Set();
    const refusedToken = await sign(info.narrowId, info.narrowSecret, CRAFTED_CHANNELS);
    for (let i = -3; i < samples; i++) {
      const closed = await connect(`${base}?token=${refusedToken}`).then(
        () => ({ code: "admitted", ms: Number.NaN }),
        (e) => e,
      );
      if (i >= 0) refusedMs.push(closed.ms);
      refusedCodes.add(closed.code);
    }
    const admittedMs = [];
    let crafted;
    for (let i = 0; i < samples; i++) {
      const c = await connect(`${base}?token=${await sign(info.keyId, info.secret, CRAFTED_CHANNELS)}`);
      admittedMs.push(c.welcomeMs);
      if (crafted) c.ws.close();
      else crafted = c;
    }

    const uncoveredMs = [];
    for (let i = 0; i < samples * 5; i++) {
      const t = performance.now();
      const answer = await crafted.request({
        type: "publish",
        channel: OUTSIDE,
        data: i,
        requestId: `u${i}`,
      });
      if (answer.code !== "channel_not_authorized") throw new Error(`uncovered: ${JSON.stringify(answer)}`);
      uncoveredMs.push(performance.now() - t);
      await sleep(15);
    }

    attacker.send({ cmd: "stop" });
    const attack = await attacker.next(10_000);

    // Server CPU per operation, attack stopped: less sensitive than round trips to other load on
    // the machine (utime + stime of the server over 100 sequential operations each).
    const cpuPer = async (n, op) => {
      await sleep(500);
      const c0 = cpuMicros(info.pid);
      for (let i = 0; i < n; i++) await op(i);
      return r2((cpuMicros(info.pid) - c0) / 1000 / n);
    };
    const serverCpuMsPerOperation = {
      honestPublish: await cpuPer(200, (i) =>
        pub.request({ type: "publish", channel: HONEST_CHANNEL, data: i, requestId: `c${i}` }),
      ),
      craftedTokenRequest: await cpuPer(100, async () => {
        const res = await fetch(`http://127.0.0.1:${info.port}/v1/tokens`, {
          method: "POST",
          headers: {
            authorization: `Bearer ${info.narrowId}:${info.narrowSecret}`,
            "content-type": "application/json",
          },
          body: JSON.stringify({ peerId: "measure", channels: CRAFTED_CHANNELS }),
        });
        await res.text();
      }),
      handshake100CraftedRefused: await cpuPer(100, () =>
        connect(`${base}?token=${refusedToken}`).then(
          (c) => c.ws.close(),
          () => {},
        ),
      ),
      uncoveredFrame: await cpuPer(200, (i) =>
        crafted.request({ type: "publish", channel: OUTSIDE, data: i, requestId: `v${i}` }),
      ),
    };
    const result = {
      honestPublishAckBeforeAttack: before,
      honestPublishAckDuringAttack: during,
      serverCoresDuringAttack: serverCores,
      craftedTokenRequest: { ...summary(tokenMs), statuses: [...tokenStatuses] },
      handshake100CraftedRefused: { ...summary(refusedMs), closeCodes: [...refusedCodes] },
      handshake100CraftedAdmitted: summary(admittedMs),
      uncoveredFrame: summary(uncoveredMs),
      serverCpuMsPerOperation,
      attack: { ...attack, issuePatternRefused: started.issuePatternRefused },
    };
    log(
      system,
      `pattern attack: honest publish→ack p99 ${during.p99Ms} ms (before ${before.p99Ms}); crafted POST /v1/tokens p99 ${result.craftedTokenRequest.p99Ms} ms; 100-pattern handshake refused p99 ${result.handshake100CraftedRefused.p99Ms} ms, admitted p99 ${result.handshake100CraftedAdmitted.p99Ms} ms; uncovered frame p99 ${result.uncoveredFrame.p99Ms} ms; server CPU ms per op ${JSON.stringify(serverCpuMsPerOperation)}`,
    );
    return result;
  } finally {
    await Promise.all(procs.map((p) => p.stop().catch(() => {})));
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  console.log(JSON.stringify(await patternAttack("switchboard"), null, 2));
  process.exit(0);
}
