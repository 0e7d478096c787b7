import type { Connection } from "./connection.js";

/**
 * WebSocket-level liveness (protocol.md §9): every `intervalMs` each connection gets a ping; one that
 * has not answered `timeoutMs` later is terminated. Two shared timers serve every connection.
 */
export function startKeepalive(
  connections: ReadonlySet<Connection>,
  ping: (connection: Connection) => void,
  intervalMs: number,
  timeoutMs: number,
): () => void {
  let deadline: NodeJS.Timeout | undefined;
  const interval = setInterval(() => {
    for (const connection of connections) {
      connection.pongPending = true;
      ping(connection);
    }
    clearTimeout(deadline);
    deadline = setTimeout(() => {
      for (const connection of connections) if (connection.pongPending) connection.transport.terminate();
    }, timeoutMs);
    deadline.unref();
  }, intervalMs);
  interval.unref();
  return () => {
    clearInterval(interval);
    clearTimeout(deadline);
  };
}
