// Connect-rate load generator (Switchboard). argv: system infoJSON count localAddress [window]
// The scenario measures the server's handshake, so the client side is as cheap as it can be: tokens
// are signed up front, and each connection is a bare TCP socket that writes one pre-built upgrade
// request and counts the connection once the `welcome` frame has arrived (no client-side WebSocket
// library, no Sec-WebSocket-Accept check: a full client would cost more CPU than the server on
// these shared cores). Replies {ready}; on {cmd:"open", count?} → {opened, failed, elapsedMs,
// errors, hist (connect → welcome, µs)} (tokens are reused round-robin when count exceeds them); {cmd:"close"} drops them all.
import { connect } from "node:net";
import { adapters } from "../lib/adapters.mjs";
import { createHistogram, nowUs } from "../lib/hdr.mjs";
import { commands, exitWithoutTimeWait, reply } from "../lib/proc.mjs";

const [system, infoJson, count, localAddress, window = "200"] = process.argv.slice(2);
const info = JSON.parse(infoJson);
const adapter = await adapters[system](info, localAddress, { subscribe: false });
const tokens = await Promise.all(Array.from({ length: Number(count) }, (_, i) => adapter.sign(i)));
const request = (token) =>
  `GET /v1?token=${token} HTTP/1.1\r\nHost: 127.0.0.1:${info.port}\r\nUpgrade: websocket\r\n` +
  "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
const WELCOME = Buffer.from('{"type":"welcome"');
const SWITCHING = Buffer.from("HTTP/1.1 101");
const sockets = [];
const hist = createHistogram(); // connect → welcome, µs

function open(token) {
  return new Promise((resolve, reject) => {
    const t0 = nowUs();
    const socket = connect({ host: "127.0.0.1", port: info.port, localAddress });
    let seen = Buffer.alloc(0);
    socket.once("connect", () => socket.write(request(token)));
    socket.on("data", (chunk) => {
      seen = seen.length ? Buffer.concat([seen, chunk]) : chunk;
      if (seen.includes(WELCOME)) {
        socket.removeAllListeners("data");
        hist.record(nowUs() - t0);
        sockets.push(socket);
        resolve();
      } else if (seen.length > 4096 || (seen.length >= 12 && !seen.subarray(0, 12).equals(SWITCHING))) {
        reject(new Error(seen.subarray(0, 60).toString().split("\r\n")[0]));
        socket.destroy();
      }
    });
    socket.once("error", reject);
    socket.once("close", () => reject(new Error("closed before welcome")));
  });
}

commands(async (c) => {
  if (c.cmd === "close") {
    for (const socket of sockets.splice(0)) socket.resetAndDestroy(); // no TIME_WAIT left behind
    return reply({ closed: true });
  }
  if (c.cmd !== "open") return;
  const n = c.count ?? tokens.length;
  hist.reset();
  let next = 0;
  let failed = 0;
  const errors = new Set();
  const t0 = performance.now();
  const worker = async () => {
    while (next < n) {
      const token = tokens[next++ % tokens.length];
      try {
        await open(token);
      } catch (e) {
        failed += 1;
        errors.add(String(e?.message ?? e));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Number(window), n) }, worker));
  reply({
    opened: sockets.length,
    failed,
    elapsedMs: performance.now() - t0,
    errors: [...errors].slice(0, 3),
    hist: hist.export(),
  });
});
process.on("SIGTERM", exitWithoutTimeWait);
reply({ ready: true });
