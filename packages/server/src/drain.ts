import { CloseCode, CloseReason } from "@switchboard/protocol";
import type { Connection } from "./connection.js";
import { frameBytes } from "./encode.js";
import type { Gateway } from "./gateway.js";
import type { Logger } from "./logger.js";
import type { Meter } from "./meter.js";

/** What {@link drain} needs to know; create-server fills it from the config. */
export interface DrainOptions {
  /** Window the closes are spread over (`config.drainMs`); 0 closes every client at once. */
  windowMs: number;
  /** Least `retryAfterMs` announced (`config.goingAwayRetryAfterMs`); see {@link retryAfterFor}. */
  retryAfterMs: number;
  /** After the last close went out, how long sockets get to finish the closing handshake. */
  graceMs: number;
  meter: Meter;
  log: Logger;
  /** Default `Math.random`; tests fix it. */
  random?: () => number;
}

/** What a drain did, for the shutdown log line. */
export interface DrainReport {
  /** Clients sent `going_away` + 1001. */
  told: number;
  /** Sockets dropped after the grace because they never completed the close. */
  terminated: number;
  elapsedMs: number;
}

/**
 * Closes due at the same time go out together, at most this often: batching keeps the timer count
 * low with 20k clients, and 50 ms is far below any useful spread.
 */
const TICK_MS = 50;
/** How often the grace phase looks whether every socket is gone. */
const POLL_MS = 20;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The `retryAfterMs` one client is told: the configured base plus a random extra of up to half of
 * it, so clients closed in the same batch (or all at once with a zero window) do not reconnect in
 * the same instant.
 */
export function retryAfterFor(baseMs: number, random: () => number = Math.random): number {
  return baseMs + Math.floor(random() * (Math.floor(baseMs / 2) + 1));
}

/**
 * Graceful drain (protocol.md §4 `going_away`, §6 1001). The caller has already stopped accepting
 * upgrades. Every authenticated client gets `going_away {retryAfterMs}` then a 1001 close, spread
 * evenly over `windowMs`: client i of n (oldest first) at `i × windowMs / n`, so the first goes at
 * once and reconnects land on other nodes at a steady rate instead of as one wave. Clients admitted
 * during the drain and sockets still in their handshake are closed when the window ends. Then every
 * socket gets `graceMs` to finish the close handshake before it is terminated. Resolves when no
 * socket is left; with no clients it resolves at once.
 */
export async function drain(gateway: Gateway, options: DrainOptions): Promise<DrainReport> {
  const { windowMs, meter, log } = options;
  const random = options.random ?? Math.random;
  const startedMs = performance.now();
  const told = new Set<Connection>();

  const tell = (connection: Connection) => {
    told.add(connection);
    const retryAfterMs = retryAfterFor(options.retryAfterMs, random);
    // Both leave in one write: the transport corks everything sent in one event-loop turn.
    connection.transport.send(frameBytes({ type: "going_away", retryAfterMs }));
    connection.transport.close(CloseCode.GoingAway, CloseReason[CloseCode.GoingAway]);
    meter.framesOut.going_away += 1;
  };

  const order = [...gateway.connections];
  let next = 0;
  while (next < order.length && gateway.connections.size > 0) {
    const elapsed = performance.now() - startedMs;
    const due =
      windowMs === 0
        ? order.length
        : Math.min(order.length, Math.floor((order.length * elapsed) / windowMs) + 1);
    for (; next < due; next++) {
      const connection = order[next];
      // One that left by itself meanwhile keeps its slot in the schedule: the pace stays even.
      if (connection && gateway.connections.has(connection)) tell(connection);
    }
    if (next >= order.length) break;
    await sleep(Math.max(TICK_MS, (next * windowMs) / order.length - elapsed));
  }
  for (const connection of gateway.connections) if (!told.has(connection)) tell(connection);
  for (const ws of gateway.sockets) {
    // Still OPEN now means mid-handshake (every admitted socket is closing): no welcome, no going_away.
    if (ws.readyState !== ws.OPEN) continue;
    ws.resume(); // paused until admitted
    ws.close(CloseCode.GoingAway, CloseReason[CloseCode.GoingAway]);
  }

  const graceEnd = performance.now() + options.graceMs;
  while (gateway.sockets.size > 0 && performance.now() < graceEnd) await sleep(POLL_MS);
  const terminated = gateway.sockets.size;
  for (const ws of gateway.sockets) ws.terminate();
  const report = { told: told.size, terminated, elapsedMs: Math.round(performance.now() - startedMs) };
  if (report.told > 0 || terminated > 0) log.info(report, "drained");
  return report;
}
