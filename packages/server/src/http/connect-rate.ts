/**
 * Per-IP limit on WebSocket upgrade attempts: at most `limit` per `windowMs`, counted in a fixed
 * window per IP (cheap, and bursts at a window edge are bounded by 2×limit). `limit` 0 disables.
 * Entries of idle IPs are swept so the map cannot grow without bound.
 */
export interface ConnectRateLimiter {
  /**
   * False when the limit is 0 (off): `allow` is then always true, and callers can skip finding the
   * peer's address, which costs a `getpeername` syscall per connection.
   */
  readonly enabled: boolean;
  /** Counts one attempt from `ip`; false when it is over the limit. */
  allow(ip: string, nowMs?: number): boolean;
  close(): void;
}

export function createConnectRateLimiter(limit: number, windowMs: number): ConnectRateLimiter {
  if (limit === 0) return { enabled: false, allow: () => true, close() {} };
  const windows = new Map<string, { start: number; count: number }>();
  const sweeper = setInterval(() => {
    const now = Date.now();
    for (const [ip, w] of windows) if (now - w.start >= windowMs) windows.delete(ip);
  }, windowMs);
  sweeper.unref();
  return {
    enabled: true,
    allow(ip, now = Date.now()) {
      const w = windows.get(ip);
      if (!w || now - w.start >= windowMs) {
        windows.set(ip, { start: now, count: 1 });
        return true;
      }
      w.count += 1;
      return w.count <= limit;
    },
    close() {
      clearInterval(sweeper);
    },
  };
}
