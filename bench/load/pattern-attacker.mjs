// Pattern-attack load generator (issue 10 item 1). argv: infoJSON (from switchboard-limits-server).
// On {cmd:"start"} runs, until {cmd:"stop"}, the attacks the scenario measures against:
// - one pk connection subscribed to 100 crafted 8-run patterns (MATCH_ATTACK_PATTERNS), publishing
//   to the honest channel at 90 frames/s (within its rate), so every publish runs them all;
// - subscribe cycles: a JWT connection scoped to NARROW_PATTERNS subscribes a crafted pattern whose
//   coverage check is cut off at the bound (→ 4011), reconnects, again (20/s);
// - `POST /v1/tokens` with 100 crafted channels on the narrow key (→ 403), 50/s;
// - handshakes with a token of 100 crafted channels on the narrow key (→ 4003), 20/s.
// Replies {started, issuePatternRefused} and, on stop, the counts of each.
import { SignJWT } from "jose";
import WebSocket from "ws";
import {
  CRAFTED_CHANNELS,
  CRAFTED_COVERAGE,
  HONEST_CHANNEL,
  ISSUE_PATTERN,
  MATCH_ATTACK_PATTERNS,
  NARROW_PATTERNS,
} from "../lib/patterns.mjs";
import { commands, reply, sleep } from "../lib/proc.mjs";

const info = JSON.parse(process.argv[2]);
const base = `ws://127.0.0.1:${info.port}/v1`;
const sign = (channels) =>
  new SignJWT({ channels, permissions: ["subscribe", "publish"] })
    .setProtectedHeader({ alg: "HS256", kid: info.narrowId })
    .setSubject(`attacker-${process.pid}`)
    .setExpirationTime("2h")
    .sign(new TextEncoder().encode(info.narrowSecret));
const scopedToken = await sign(NARROW_PATTERNS);
const craftedToken = await sign(CRAFTED_CHANNELS);
const counts = { published: 0, subscribeCycles: 0, tokenRequests: 0, handshakes: 0, statuses: {} };
let running = false;

function open(url) {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, localAddress: "127.0.0.3" });
    const frames = [];
    let waiter;
    ws.on("message", (data) => {
      frames.push(JSON.parse(String(data)));
      waiter?.();
    });
    const next = () =>
      frames.length
        ? Promise.resolve(frames.shift())
        : new Promise((r) => {
            waiter = () => {
              waiter = undefined;
              r(frames.shift());
            };
          });
    const closed = new Promise((r) => ws.on("close", (code) => r(code)));
    ws.on("error", () => {});
    resolve({ ws, next, closed });
  });
}

/** Runs `fn` every `1000 / perSec` ms (one at a time) while running. */
async function paced(perSec, fn) {
  while (running) {
    const t0 = performance.now();
    try {
      await fn();
    } catch {}
    await sleep(Math.max(0, 1000 / perSec - (performance.now() - t0)));
  }
}

async function matchAttack() {
  const c = await open(`${base}?key=${info.pk}`);
  await c.next(); // welcome
  c.ws.send(JSON.stringify({ type: "subscribe", channel: ISSUE_PATTERN, requestId: "issue" }));
  const refused = await c.next();
  for (const channel of MATCH_ATTACK_PATTERNS) c.ws.send(JSON.stringify({ type: "subscribe", channel }));
  void paced(90, async () => {
    c.ws.send(JSON.stringify({ type: "publish", channel: HONEST_CHANNEL, data: "x" }));
    counts.published++;
  }).then(() => c.ws.close());
  return refused.type === "error" && refused.code === "invalid_channel";
}

commands(async (cmd) => {
  if (cmd.cmd === "start") {
    running = true;
    const issuePatternRefused = await matchAttack();
    void paced(20, async () => {
      const c = await open(`${base}?token=${scopedToken}`);
      await c.next();
      c.ws.send(JSON.stringify({ type: "subscribe", channel: CRAFTED_COVERAGE[0], requestId: "x" }));
      await c.closed;
      counts.subscribeCycles++;
    });
    void paced(50, async () => {
      const res = await fetch(`http://127.0.0.1:${info.port}/v1/tokens`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${info.narrowId}:${info.narrowSecret}`,
          "content-type": "application/json",
        },
        body: JSON.stringify({ peerId: "attacker", channels: CRAFTED_CHANNELS }),
      });
      await res.text();
      counts.statuses[res.status] = (counts.statuses[res.status] ?? 0) + 1;
      counts.tokenRequests++;
    });
    void paced(20, async () => {
      const c = await open(`${base}?token=${craftedToken}`);
      await c.closed;
      counts.handshakes++;
    });
    reply({ started: true, issuePatternRefused });
  } else if (cmd.cmd === "stop") {
    running = false;
    await sleep(300);
    reply(counts);
    setTimeout(() => process.exit(0), 200);
  }
});
reply({ ready: true });
