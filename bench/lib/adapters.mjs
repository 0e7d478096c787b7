// One client-side adapter per system: connect, subscribe to the bench channel, publish, receive.
// Every adapter's connect(i) resolves to {publish(data), onData(cb), send?(to, data), peerId, close()}
// once the connection is usable and subscribed (Switchboard: after welcome + subscribe ack).
import { SignJWT } from "jose";
import WebSocket from "ws";

export const CHANNEL = "bench/fanout";

// Load generators share the cores with the server, so receivers do not JSON.parse every fan-out
// frame: the payload timestamp is read straight from the text (`"t":<µs>`), the same way for every
// system that gives us the raw frame (Switchboard, raw ws). Socket.IO's client parses by itself.
const T_KEY = '"t":';
function fastT(str) {
  const i = str.indexOf(T_KEY);
  return i < 0 ? Number.NaN : Number.parseFloat(str.slice(i + 4, i + 30));
}

async function switchboard(info, localAddress, { subscribe = true, channel = CHANNEL } = {}) {
  const hmac = new TextEncoder().encode(info.secret);
  const sign = (i) =>
    new SignJWT({ channels: ["bench/**"], permissions: ["subscribe", "publish", "send"] })
      .setProtectedHeader({ alg: "HS256", kid: info.keyId })
      .setSubject(`${localAddress}-${process.pid}-${i}`)
      .setExpirationTime("2h")
      .sign(hmac);
  return {
    sign,
    connect: (_i, token) =>
      new Promise((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${info.port}/v1?token=${token}`, {
          localAddress,
          perMessageDeflate: false,
          skipUTF8Validation: true, // client-side only: keeps the load generators cheap
        });
        let onData = () => {};
        let peerId = null;
        const api = {
          publish: (data) => ws.send(JSON.stringify({ type: "publish", channel, data })),
          send: (to, data) => ws.send(JSON.stringify({ type: "send", to, data })),
          onData: (cb) => {
            onData = cb;
          },
          close: () => ws.terminate(),
          get peerId() {
            return peerId;
          },
          ws,
        };
        ws.on("message", (buf) => {
          const str = buf.toString();
          if (str.startsWith('{"type":"message"') || str.startsWith('{"type":"direct"')) {
            const t = fastT(str);
            if (!Number.isNaN(t)) return onData({ t });
          }
          const f = JSON.parse(str);
          if (f.type === "message" || f.type === "direct") onData(f.data, f.from);
          else if (f.type === "welcome") {
            peerId = f.peerId;
            if (!subscribe) return resolve(api);
            ws.send(JSON.stringify({ type: "subscribe", channel, requestId: "s" }));
          } else if (f.type === "ack" && f.requestId === "s") resolve(api);
          else if (f.type === "error") reject(new Error(`${f.code}: ${f.message}`));
        });
        ws.once("error", reject);
        ws.once("close", (code) => reject(new Error(`closed ${code}`)));
      }),
  };
}

async function rawWs(info, localAddress) {
  return {
    sign: async () => null,
    connect: () =>
      new Promise((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${info.port}/`, {
          localAddress,
          perMessageDeflate: false,
          skipUTF8Validation: true,
        });
        let onData = () => {};
        ws.on("message", (buf) => {
          const str = buf.toString();
          const t = fastT(str);
          onData(Number.isNaN(t) ? JSON.parse(str) : { t });
        });
        ws.once("open", () =>
          resolve({
            publish: (data) => ws.send(JSON.stringify(data)),
            onData: (cb) => (onData = cb),
            close: () => ws.terminate(),
            ws,
          }),
        );
        ws.once("error", reject);
      }),
  };
}

async function socketio(info, localAddress) {
  const { io } = await import("socket.io-client");
  return {
    sign: async () => null,
    connect: () =>
      new Promise((resolve, reject) => {
        const s = io(`http://127.0.0.1:${info.port}`, {
          transports: ["websocket"],
          forceNew: true,
          reconnection: false,
          localAddress,
          perMessageDeflate: false,
        });
        let onData = () => {};
        s.on("msg", (data) => onData(data));
        s.once("connect", () =>
          s.emit("join", CHANNEL, () =>
            resolve({
              publish: (data) => s.emit("pub", CHANNEL, data),
              onData: (cb) => (onData = cb),
              close: () => s.disconnect(),
            }),
          ),
        );
        s.once("connect_error", reject);
      }),
  };
}

export const adapters = { switchboard, "raw-ws": rawWs, socketio };

/** Opens `n` connections with at most `window` handshakes in flight. Returns {conns, failed, elapsedMs, errors}. */
export async function openMany(adapter, n, { window = 200, tokens } = {}) {
  const conns = [];
  let failed = 0;
  let next = 0;
  const errors = new Set();
  const t0 = performance.now();
  async function worker() {
    while (next < n) {
      const i = next++;
      try {
        conns.push(await adapter.connect(i, tokens?.[i]));
      } catch (e) {
        failed += 1;
        errors.add(String(e?.message ?? e));
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(window, n) }, worker));
  return { conns, failed, elapsedMs: performance.now() - t0, errors: [...errors].slice(0, 3) };
}
