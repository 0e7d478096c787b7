import { Socket } from "node:net";
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
  /**
   * The unsent bytes past which this socket is terminated (`sendBufferLimitBytes`); undefined for
   * transports without a cap (unit-test fakes). Whatever is held back for the socket obeys it too.
   */
  readonly sendBufferLimitBytes?: number;
}

/**
 * The `net.Socket` under a `ws` WebSocket: its private `_socket`, which the fast path writes to.
 * ws is pinned to a minor range (packages/server/package.json) and a test checks that a real
 * socket still has it; undefined (and the transport falls back to `ws.send`) if a release drops it.
 */
export function rawSocketOf(ws: WebSocket): Socket | undefined {
  const raw = (ws as unknown as { _socket?: unknown })._socket;
  return raw instanceof Socket ? raw : undefined;
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
    readonly sendBufferLimitBytes: number,
    private readonly onOverflow: () => void,
    onFallback: (() => void) | undefined,
  ) {
    this.raw = rawSocketOf(ws);
    if (!this.raw) onFallback?.();
  }

  send(frame: WireFrame): void {
    const { ws, raw } = this;
    if (!this.open || ws.readyState !== ws.OPEN) return;
    if (!raw) {
      // The fallback: ws frames the payload again and writes uncorked (one syscall per frame);
      // the send-buffer cap is kept through ws's own count of unsent bytes.
      ws.send(payloadOf(frame), { binary: false });
      if (ws.bufferedAmount > this.sendBufferLimitBytes) this.overflow();
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
    if (raw.writableLength > this.sendBufferLimitBytes) this.overflow();
  }

  private overflow(): void {
    this.open = false;
    this.onOverflow();
    this.ws.terminate();
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
 *
 * Should `ws` ever stop exposing its socket ({@link rawSocketOf}), the transport falls back to
 * `ws.send` (no corking: one write per frame) and `onFallback` is told once, at construction, so
 * the loss is counted instead of silent.
 */
export function wsTransport(
  ws: WebSocket,
  sendBufferLimitBytes: number,
  onOverflow: () => void,
  onFallback?: () => void,
): Transport {
  return new WsTransport(ws, sendBufferLimitBytes, onOverflow, onFallback);
}
