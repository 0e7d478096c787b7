/**
 * `DataChannel`: a raw `RTCDataChannel` with a bounded, FIFO send queue. A send goes out at once
 * while the channel's buffer has room; above `maxBufferedAmount` it waits for `bufferedamountlow`,
 * so a fast producer cannot grow the browser's buffer without bound, and the queue itself is
 * capped too (`maxQueuedSends`).
 */

import { Emitter, type Listener } from "../emitter.js";
import { type Logger, NoopLogger, safeLogger } from "../logger.js";
import { DataChannelClosedError, DataChannelOverflowError } from "./errors.js";
import type { RawDataChannel } from "./rtc.js";

/** Options of `new DataChannel(raw, options)`. */
export interface DataChannelOptions {
  /** Bytes the channel may buffer before sends queue up. Default 1 MiB. */
  maxBufferedAmount?: number;
  /** Where draining resumes sending. Default `maxBufferedAmount / 2`. */
  bufferedAmountLowThreshold?: number;
  /** Sends that may wait at once; one more rejects with `DataChannelOverflowError`. Default 256. */
  maxQueuedSends?: number;
  logger?: Logger;
}

/** What a data channel carries. */
export type DataChannelPayload = string | ArrayBuffer | ArrayBufferView;

/** Events of a {@link DataChannel}. */
export interface DataChannelEvents {
  open: Record<string, never>;
  close: Record<string, never>;
  /** `data` is a string for text messages and an `ArrayBuffer` for binary ones. */
  message: { data: string | ArrayBuffer };
}

interface QueuedSend {
  data: DataChannelPayload;
  size: number;
  resolve: () => void;
  reject: (error: Error) => void;
}

const MiB = 1024 * 1024;
const encoder = new TextEncoder();

/** Typed wrapper of one `RTCDataChannel`; see the module comment for the send queue's rules. */
export class DataChannel {
  /** The wrapped channel (for what this wrapper does not cover; do not assign its handlers). */
  readonly raw: RawDataChannel;
  readonly #max: number;
  readonly #maxQueued: number;
  readonly #log: Logger;
  readonly #events: Emitter<DataChannelEvents>;
  #queue: QueuedSend[] = [];

  constructor(raw: RawDataChannel, options: DataChannelOptions = {}) {
    this.raw = raw;
    this.#max = positive(options.maxBufferedAmount, MiB, "maxBufferedAmount");
    this.#maxQueued = positive(options.maxQueuedSends, 256, "maxQueuedSends");
    this.#log = safeLogger(options.logger ?? NoopLogger);
    this.#events = new Emitter((event, error) =>
      this.#log.error("data channel listener threw", { event: String(event), error }),
    );
    raw.binaryType = "arraybuffer";
    raw.bufferedAmountLowThreshold = Math.min(
      positive(options.bufferedAmountLowThreshold, this.#max / 2, "bufferedAmountLowThreshold"),
      this.#max,
    );
    raw.onopen = () => {
      this.#pump();
      this.#events.emit("open", {});
    };
    raw.onbufferedamountlow = () => this.#pump();
    raw.onclose = () => {
      this.#failQueued();
      this.#events.emit("close", {});
    };
    raw.onerror = () => this.#log.debug("data channel error", { label: raw.label });
    raw.onmessage = (ev) => {
      const data = ev?.data;
      if (typeof data === "string" || data instanceof ArrayBuffer) this.#events.emit("message", { data });
      else if (ArrayBuffer.isView(data)) {
        this.#events.emit("message", { data: copyToArrayBuffer(data) });
      } else this.#log.warn("data channel message of an unknown type dropped");
    };
  }

  get label(): string {
    return this.raw.label;
  }

  get readyState(): string {
    return this.raw.readyState;
  }

  /** Sends waiting for buffer room. */
  get queued(): number {
    return this.#queue.length;
  }

  /**
   * Sends `data`, in order with every earlier send. Resolves once handed to the channel; rejects
   * with `DataChannelOverflowError` when `maxQueuedSends` sends already wait, and with
   * `DataChannelClosedError` when the channel is (or becomes, before the send left) closed.
   */
  send(data: DataChannelPayload): Promise<void> {
    const state = this.raw.readyState;
    if (state === "closing" || state === "closed") return Promise.reject(new DataChannelClosedError());
    if (this.#queue.length >= this.#maxQueued) {
      return Promise.reject(new DataChannelOverflowError(this.#queue.length, this.#maxQueued));
    }
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ data, size: byteSize(data), resolve, reject });
      this.#pump();
    });
  }

  /** Closes the channel; queued sends reject. */
  close(): void {
    this.#failQueued();
    try {
      this.raw.close();
    } catch {
      // Already closed.
    }
  }

  on<K extends keyof DataChannelEvents>(event: K, listener: Listener<DataChannelEvents[K]>): () => void {
    return this.#events.on(event, listener);
  }

  off<K extends keyof DataChannelEvents>(event: K, listener: Listener<DataChannelEvents[K]>): void {
    this.#events.off(event, listener);
  }

  #pump(): void {
    if (this.raw.readyState !== "open") return;
    while (this.#queue.length > 0) {
      const next = this.#queue[0] as QueuedSend;
      const buffered = this.raw.bufferedAmount;
      // A message larger than the cap still goes out once the buffer is empty.
      if (buffered > 0 && buffered + next.size > this.#max) return;
      this.#queue.shift();
      try {
        this.raw.send(next.data);
        next.resolve();
      } catch (error) {
        next.reject(error instanceof Error ? error : new DataChannelClosedError());
      }
    }
  }

  #failQueued(): void {
    const queue = this.#queue;
    this.#queue = [];
    for (const send of queue) send.reject(new DataChannelClosedError());
  }
}

function byteSize(data: DataChannelPayload): number {
  if (typeof data === "string") return encoder.encode(data).byteLength;
  return data.byteLength;
}

function copyToArrayBuffer(view: ArrayBufferView): ArrayBuffer {
  const copy = new Uint8Array(view.byteLength);
  copy.set(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
  return copy.buffer;
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new TypeError(`${name} must be a positive number`);
  }
  return value;
}
