// Presence-storm load generator (Switchboard). argv: infoJSON count total localAddress [window]
// Signs `count` tokens with the presence action up front and replies {ready}. On {cmd:"join"} opens
// them as fast as they connect (`window` handshakes in flight), each subscribing to the storm channel
// as soon as its welcome arrives, and keeps each one's view of the channel (snapshot, then joined /
// left in order, left first). Replies once every view holds all `total` peers (itself included) or
// after {timeoutMs}: {opened, failed, complete, presenceFrames, doneAtUs (nowUs when the last view
// completed), errors}.
import { SignJWT } from "jose";
import WebSocket from "ws";
import { nowUs } from "../lib/hdr.mjs";
import { commands, exitWithoutTimeWait, reply } from "../lib/proc.mjs";

const STORM_CHANNEL = "bench/presence-storm";
const [infoJson, count, total, localAddress, window = "100"] = process.argv.slice(2);
const info = JSON.parse(infoJson);
const n = Number(count);
const others = Number(total) - 1;
const hmac = new TextEncoder().encode(info.secret);
const tokens = await Promise.all(
  Array.from({ length: n }, (_, i) =>
    new SignJWT({ channels: ["bench/**"], permissions: ["subscribe", "presence"] })
      .setProtectedHeader({ alg: "HS256", kid: info.keyId })
      .setSubject(`storm-${localAddress}-${process.pid}-${i}`)
      .setExpirationTime("2h")
      .sign(hmac),
  ),
);
const sockets = [];

commands(async (c) => {
  if (c.cmd !== "join") return;
  let presenceFrames = 0;
  let complete = 0;
  let failed = 0;
  let doneAtUs = 0;
  const errors = new Set();
  let finish;
  const finished = new Promise((resolve) => {
    finish = resolve;
  });
  const timer = setTimeout(() => finish(), c.timeoutMs ?? 120_000);
  const open = (token) =>
    new Promise((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${info.port}/v1?token=${token}`, {
        localAddress,
        perMessageDeflate: false,
        skipUTF8Validation: true,
      });
      const view = new Set();
      let done = false;
      ws.on("message", (buf) => {
        const frame = JSON.parse(buf.toString());
        if (frame.type === "welcome") {
          ws.send(JSON.stringify({ type: "subscribe", channel: STORM_CHANNEL, requestId: "s" }));
          sockets.push(ws);
          resolve();
        } else if (frame.type === "presence") {
          presenceFrames += 1;
          for (const m of frame.left) view.delete(m.peerId);
          for (const m of frame.joined) view.add(m.peerId);
          if (!done && view.size === others) {
            done = true;
            doneAtUs = nowUs();
            complete += 1;
            if (complete === n) finish();
          }
        }
      });
      ws.once("error", (e) => {
        errors.add(String(e.message));
        failed += 1;
        resolve();
      });
      ws.once("close", (code) => {
        if (!done) errors.add(`closed ${code}`);
      });
    });
  let next = 0;
  const worker = async () => {
    while (next < n) await open(tokens[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(Number(window), n) }, worker));
  await finished;
  clearTimeout(timer);
  reply({
    opened: sockets.length,
    failed,
    complete,
    presenceFrames,
    doneAtUs,
    errors: [...errors].slice(0, 3),
  });
});
process.on("SIGTERM", exitWithoutTimeWait);
reply({ ready: true });
