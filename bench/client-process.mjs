// A load-generator process: opens `count` JWT connections to ws://127.0.0.1:PORT/v1 from the
// source address `localAddress`, keeping at most `window` handshakes in flight, subscribes each to
// `channel`, reports {opened, failed, elapsedMs} on stdout, then holds the sockets until SIGTERM.
import { SignJWT } from "jose";
import WebSocket from "ws";

const [port, keyId, secret, count, localAddress, channel, window = "200"] = process.argv.slice(2);
const hmac = new TextEncoder().encode(secret);
const sockets = [];
let opened = 0;
let failed = 0;
let started = 0;

async function token(i) {
  return new SignJWT({ channels: ["bench/**"], permissions: ["subscribe", "publish", "send"] })
    .setProtectedHeader({ alg: "HS256", kid: keyId })
    .setSubject(`${localAddress}-${i}`)
    .setExpirationTime("2h")
    .sign(hmac);
}

function openOne(jwt) {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/v1?token=${jwt}`, {
      localAddress,
      perMessageDeflate: false,
    });
    ws.once("message", () => {
      ws.send(JSON.stringify({ type: "subscribe", channel }));
      sockets.push(ws);
      opened += 1;
      resolve();
    });
    ws.once("error", () => {
      failed += 1;
      resolve();
    });
  });
}

const total = Number(count);
// Tokens are signed up front so the measured rate is the server's, not the client's signing.
const tokens = await Promise.all(Array.from({ length: total }, (_, i) => token(i)));
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
await new Promise((resolve) => process.stdin.once("data", resolve));
const t0 = performance.now();
async function worker() {
  while (started < total) {
    const i = started++;
    await openOne(tokens[i]);
  }
}
await Promise.all(Array.from({ length: Number(window) }, worker));
const elapsedMs = performance.now() - t0;
process.stdout.write(`${JSON.stringify({ opened, failed, elapsedMs })}\n`);
process.on("SIGTERM", () => process.exit(0));
