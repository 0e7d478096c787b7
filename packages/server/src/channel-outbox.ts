import type { WireFrame } from "./encode.js";
import type { Transport } from "./transport.js";

/**
 * A socket's unsent bytes below which an outbox writes its next frame: with frames of at most
 * 64 KiB, a socket holds ≲ 128 KiB of an outbox's frames at once, far below any useful send cap
 * (default 1 MiB), so a large snapshot never trips it however fast it is produced.
 */
export const OUTBOX_WRITE_BELOW_BYTES = 64 * 1024;

/**
 * Frames held for a socket that is not reading, past which the socket is terminated, when its
 * transport states no send cap of its own (otherwise the cap applies: one bound for everything a
 * connection can make the server hold for it).
 */
export const OUTBOX_HELD_LIMIT_BYTES = 1024 * 1024;

/** How often an outbox whose socket is still over {@link OUTBOX_WRITE_BELOW_BYTES} looks again. */
const RETRY_MS = 10;

/**
 * The frames of one channel for one socket that cannot be written yet, in order: a newcomer's
 * snapshot before anything else of the channel (protocol.md §5), and presence frames too large to
 * write at once. While an outbox exists the hub gives it every frame of that channel for that
 * socket instead of writing it.
 *
 * It starts holding (nothing written: the snapshot is not due yet), or writing. {@link start}
 * puts the snapshot's frames first and starts writing: one frame at a time while the socket's
 * unsent bytes are under {@link OUTBOX_WRITE_BELOW_BYTES}, then again after the socket flushed
 * (next event-loop turn) or, if it did not, every 10 ms. Snapshot frames are made lazily, so a
 * slow reader's pending snapshot costs no memory beyond its list of members. Held frames are
 * shared, already-encoded bytes; past `heldLimitBytes` of them (default: the transport's send cap) the client is not reading and is
 * terminated, as the send cap would. When everything is written, `onDrained` runs (the hub
 * forgets the outbox) and frames go straight to the socket again.
 */
export class Outbox {
  readonly #transport: Transport;
  readonly #onDrained: () => void;
  readonly #heldLimitBytes: number;
  #queue: WireFrame[] = [];
  #head = 0;
  #heldBytes = 0;
  #snapshot: Iterator<WireFrame, void, undefined> | undefined;
  #writing: boolean;
  /** The pending look at the socket: right after its flush (`Immediate`) or a retry (`Timeout`). */
  #timer: { immediate: NodeJS.Immediate } | { timeout: NodeJS.Timeout } | undefined;
  #done = false;

  constructor(
    transport: Transport,
    options: { writing: boolean; onDrained: () => void; heldLimitBytes?: number },
  ) {
    this.#transport = transport;
    this.#writing = options.writing;
    this.#onDrained = options.onDrained;
    this.#heldLimitBytes =
      options.heldLimitBytes ?? transport.sendBufferLimitBytes ?? OUTBOX_HELD_LIMIT_BYTES;
  }

  /** Whether the outbox is still holding everything for a snapshot to come. */
  get holding(): boolean {
    return !this.#writing;
  }

  /** Appends a frame after everything held. */
  push(frame: WireFrame): void {
    if (this.#done) return;
    this.#queue.push(frame);
    this.#heldBytes += frame.bytes.length;
    if (this.#heldBytes > this.#heldLimitBytes) {
      this.cancel();
      this.#transport.terminate();
      return;
    }
    if (this.#writing && this.#timer === undefined) this.#write();
  }

  /** Starts writing: `snapshot`'s frames first (when given), then the frames held so far. */
  start(snapshot?: Iterator<WireFrame, void, undefined>): void {
    if (this.#done) return;
    this.#snapshot = snapshot;
    this.#writing = true;
    if (this.#timer === undefined) this.#write();
  }

  /** Drops everything unwritten (unsubscribe, disconnect, channel gone); `onDrained` does not run. */
  cancel(): void {
    this.#done = true;
    this.#clearTimer();
    this.#snapshot = undefined;
    this.#queue = [];
  }

  #next(): WireFrame | undefined {
    if (this.#snapshot) {
      const chunk = this.#snapshot.next();
      if (!chunk.done) return chunk.value;
      this.#snapshot = undefined;
    }
    if (this.#head === this.#queue.length) return undefined;
    const frame = this.#queue[this.#head] as WireFrame;
    this.#queue[this.#head] = undefined as unknown as WireFrame; // let it be collected
    this.#head += 1;
    this.#heldBytes -= frame.bytes.length;
    return frame;
  }

  #write = (): void => {
    this.#timer = undefined;
    if (this.#done) return;
    let wrote = false;
    while (this.#transport.bufferedAmount < OUTBOX_WRITE_BELOW_BYTES) {
      const frame = this.#next();
      if (frame === undefined) {
        this.#done = true;
        this.#queue = [];
        this.#onDrained();
        return;
      }
      this.#transport.send(frame);
      wrote = true;
    }
    // Writes of this turn leave in one `setImmediate` (transport.ts): look again right after it;
    // a socket that did not flush (its client is not reading) is looked at every RETRY_MS.
    if (wrote) this.#timer = { immediate: setImmediate(this.#write) };
    else this.#timer = { timeout: setTimeout(this.#write, RETRY_MS).unref() };
  };

  #clearTimer(): void {
    const timer = this.#timer;
    this.#timer = undefined;
    if (timer === undefined) return;
    if ("timeout" in timer) clearTimeout(timer.timeout);
    else clearImmediate(timer.immediate);
  }
}
