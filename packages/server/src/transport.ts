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
 * A class, not an object of closures: one transport lives as long as its connection, and with tens
 * of thousands of idle connections five closures plus a context (and the dictionary-mode object an
 * object literal with a getter became) cost ≈ 0.8 KB each; an instance is five fields.
 */
class WsTransport implements Transport {
  private open = true;
  private readonly raw: Socket | undefined;

  constructor(
    private readonly ws: WebSocket,
    private readonly sendBufferLimitBytes: number,
    private readonly onOverflow: () => void,
  ) {
    this.raw = (ws as unknown as { _socket?: Socket })._socket;
  }

  send(frame: WireFrame): void {
    const { ws, raw } = this;
    if (!this.open || ws.readyState !== ws.OPEN) return;
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
    if (raw.writableLength > this.sendBufferLimitBytes) {
      this.open = false;
      this.onOverflow();
      ws.terminate();
    }
  }

  close(code: number, reason: string): void {
    if (!this.open) return;
    this.open = false;
    this.ws.close(code, reason);
  }

  terminate(): void {
    this.open = false;
    this.ws.terminate();
  }

  ping(): void {
    const { ws } = this;
    if (this.open && ws.readyState === ws.OPEN) ws.ping();
  }

  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }
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
  return new WsTransport(ws, sendBufferLimitBytes, onOverflow);
}
