import type { Socket } from "node:net";
import type { WebSocket } from "ws";
import { payloadOf, type WireFrame } from "./encode.js";

/**
 * What the rest of the server sees of a client socket. Unit tests can use a recording fake.
 *
 * Contract: `send` writes one complete, pre-built WebSocket frame (see {@link WireFrame}); it never
 * throws and is a no-op once the transport is closing; `bufferedAmount` is the count of bytes
 * accepted by `send` but not yet handed to the kernel.
 */
export interface Transport {
  send(frame: WireFrame): void;
  close(code: number, reason: string): void;
  /** Drops the connection without a closing handshake (dead or overflowing peers). */
  terminate(): void;
  /** Sends a WebSocket-level ping (keepalive). */
  ping(): void;
  readonly bufferedAmount: number;
}

/** Sockets corked during the current event-loop turn; uncorked together in one `setImmediate`. */
const corked = new Set<Socket>();
let flushScheduled = false;

function flushCorked(): void {
  flushScheduled = false;
  for (const socket of corked) socket.uncork();
  corked.clear();
}

/**
 * Wraps a `ws` socket. `send` writes the pre-built frame straight to the underlying `net.Socket`,
 * bypassing ws's per-send framing: safe because the server never masks, permessage-deflate is off,
 * and every write is a whole frame, so ws's own writes (pings, close) only ever interleave between
 * complete frames. Writes made during one event-loop turn are corked and leave in one syscall per
 * socket (fan-out cost is dominated by syscalls). When the unsent bytes pass
 * `sendBufferLimitBytes`, the client has stopped reading: it is terminated so that it neither
 * grows memory without bound nor slows anyone else down; `onOverflow` is told first.
 */
export function wsTransport(ws: WebSocket, sendBufferLimitBytes: number, onOverflow: () => void): Transport {
  let open = true;
  const raw = (ws as unknown as { _socket?: Socket })._socket;
  return {
    send(frame) {
      if (!open || ws.readyState !== ws.OPEN) return;
      if (!raw) {
        ws.send(payloadOf(frame), { binary: false });
        return;
      }
      if (!raw.writable) return;
      if (!raw.writableCorked) {
        raw.cork();
        corked.add(raw);
        if (!flushScheduled) {
          flushScheduled = true;
          setImmediate(flushCorked);
        }
      }
      raw.write(frame.bytes);
      if (raw.writableLength > sendBufferLimitBytes) {
        open = false;
        onOverflow();
        ws.terminate();
      }
    },
    close(code, reason) {
      if (!open) return;
      open = false;
      ws.close(code, reason);
    },
    terminate() {
      open = false;
      ws.terminate();
    },
    ping() {
      if (open && ws.readyState === ws.OPEN) ws.ping();
    },
    get bufferedAmount() {
      return ws.bufferedAmount;
    },
  };
}
