import {
  type ClientFrameType,
  ERROR_CODES,
  type ErrorCode,
  type ServerFrameType,
} from "@switchboard/protocol";

/** Inbound frame types as counted: every client command, plus `invalid` for undecodable frames. */
export type FrameInType = ClientFrameType | "invalid";

export const FRAME_IN_TYPES = [
  "subscribe",
  "unsubscribe",
  "publish",
  "send",
  "ping",
  "invalid",
] as const satisfies readonly FrameInType[];

export const FRAME_OUT_TYPES = [
  "welcome",
  "ack",
  "error",
  "message",
  "direct",
  "presence",
  "going_away",
  "pong",
] as const satisfies readonly ServerFrameType[];

// Compile-time check that the lists above name every frame type (a new type must be counted).
type Missing<All, Listed> = Exclude<All, Listed> extends never ? true : Exclude<All, Listed>;
const everyFrameIn: Missing<FrameInType, (typeof FRAME_IN_TYPES)[number]> = true;
const everyFrameOut: Missing<ServerFrameType, (typeof FRAME_OUT_TYPES)[number]> = true;
void everyFrameIn;
void everyFrameOut;

/** How a handshake ended: `accepted` (welcome sent) or `refused` (closed before welcome). */
export type HandshakeOutcome = "accepted" | "refused";

/**
 * The hot-path side of the metrics: plain integer counters that the session, hub and gateway bump
 * with one `+=` (no label hashing, no allocation), read into Prometheus form only at scrape time
 * (metrics.ts). Histogram observations go through the two observer functions.
 *
 * Contract: counters only grow; `framesOut` counts deliveries (one `message` to three subscribers
 * is 3), not encodings.
 */
export interface Meter {
  readonly framesIn: Record<FrameInType, number>;
  readonly framesOut: Record<ServerFrameType, number>;
  /** `error` frames sent, by wire error code. */
  readonly errors: Record<ErrorCode, number>;
  /** WebSocket closes by code label (see {@link closeCodeLabel}). */
  readonly closes: Map<string, number>;
  /** Upgrade requests answered with plain HTTP instead of a WebSocket, by status. */
  readonly upgradeRejections: Map<number, number>;
  /**
   * Connections whose transport could not reach ws's underlying socket and fell back to
   * `ws.send` (no corking; transport.ts). Should stay 0 with the pinned ws.
   */
  transportFallbacks: number;
  /** Records a socket close. */
  countClose(code: number): void;
  /** Upgrade → `welcome` or refusal close, in seconds. */
  observeHandshake(seconds: number, outcome: HandshakeOutcome): void;
  /** One publish's local fan-out loop, in seconds. */
  observeFanout(seconds: number): void;
}

/** Histogram sinks a {@link Meter} reports to; the default drops observations. */
export interface MeterObservers {
  handshake(seconds: number, outcome: HandshakeOutcome): void;
  fanout(seconds: number): void;
}

const NO_OBSERVERS: MeterObservers = { handshake() {}, fanout() {} };

/**
 * Close codes reported as themselves: the standard range and the codes of protocol.md §6. Any other
 * code a client chooses is reported as `other`, so clients cannot grow the label set without bound.
 */
export function closeCodeLabel(code: number): string {
  if ((code >= 1000 && code <= 1015) || (code >= 4000 && code <= 4099)) return String(code);
  return "other";
}

function zeros<K extends string>(keys: readonly K[]): Record<K, number> {
  const record = {} as Record<K, number>;
  for (const key of keys) record[key] = 0;
  return record;
}

/** A meter with every counter at 0. Without `observers` (unit tests), histograms are dropped. */
export function createMeter(observers: MeterObservers = NO_OBSERVERS): Meter {
  const closes = new Map<string, number>();
  return {
    framesIn: zeros(FRAME_IN_TYPES),
    framesOut: zeros(FRAME_OUT_TYPES),
    errors: zeros(ERROR_CODES),
    closes,
    upgradeRejections: new Map(),
    transportFallbacks: 0,
    countClose(code) {
      const label = closeCodeLabel(code);
      closes.set(label, (closes.get(label) ?? 0) + 1);
    },
    observeHandshake: observers.handshake,
    observeFanout: observers.fanout,
  };
}
