import type { Duplex } from "node:stream";

const reasons: Record<number, string> = {
  400: "Bad Request",
  404: "Not Found",
  429: "Too Many Requests",
  503: "Service Unavailable",
};

/**
 * Answers an upgrade request with a plain HTTP error (no WebSocket is created) and closes the
 * socket. The body is the REST error shape `{error, message}`.
 */
export function rejectUpgrade(socket: Duplex, status: number, error: string, message: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify({ error, message });
  socket.end(
    `HTTP/1.1 ${status} ${reasons[status] ?? "Error"}\r\n` +
      "Connection: close\r\n" +
      "Content-Type: application/json; charset=utf-8\r\n" +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      (status === 429 || status === 503 ? "Retry-After: 5\r\n" : "") +
      `\r\n${body}`,
  );
  // end() flushes the response; a client that never closes its side is dropped shortly after.
  setTimeout(() => socket.destroy(), 1_000).unref();
}
