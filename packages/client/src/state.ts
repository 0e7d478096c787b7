/** The client's connection state machine: one union, one table of allowed transitions. */

/**
 * - `idle`: constructed, `connect()` not called yet.
 * - `connecting`: the first connection attempt is in progress.
 * - `connected`: a `welcome` arrived; requests are sent at once.
 * - `reconnecting`: the connection dropped or an attempt failed; waiting out the backoff or
 *   attempting again. Requests are queued.
 * - `closed`: final, after `close()`, a terminal close code, exhausted attempts, or a failure with
 *   `reconnect: false`.
 */
export type ClientState = "idle" | "connecting" | "connected" | "reconnecting" | "closed";

/** Allowed transitions; everything else is a bug. `closed` is final (create a new client). */
export const TRANSITIONS: Readonly<Record<ClientState, readonly ClientState[]>> = {
  idle: ["connecting", "closed"],
  connecting: ["connected", "reconnecting", "closed"],
  connected: ["reconnecting", "closed"],
  reconnecting: ["connected", "closed"],
  closed: [],
};

/** True when `from → to` is in {@link TRANSITIONS}. */
export function canTransition(from: ClientState, to: ClientState): boolean {
  return TRANSITIONS[from].includes(to);
}
