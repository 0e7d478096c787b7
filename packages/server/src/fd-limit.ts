import { readFileSync } from "node:fs";

/** File descriptors kept free for the store, logs, the listening socket and plain HTTP requests. */
const FD_HEADROOM = 512;
/** Used where the open-file limit cannot be read (non-Linux). */
const FALLBACK_LIMIT = 4096;

/** The soft open-file limit of this process (Linux `/proc/self/limits`), or a fallback. Never throws. */
export function openFileLimit(): number {
  try {
    const text = readFileSync("/proc/self/limits", "utf8");
    const match = /^Max open files\s+(\d+|unlimited)/m.exec(text);
    if (match?.[1] && match[1] !== "unlimited") return Number(match[1]);
  } catch {
    // Not Linux, or already out of descriptors: fall back.
  }
  return FALLBACK_LIMIT;
}

/**
 * The connection cap to enforce: the requested one, lowered to what the open-file limit allows so
 * the process never hits EMFILE because of WebSocket clients.
 */
export function effectiveMaxConnections(requested: number | undefined, fdLimit = openFileLimit()): number {
  const ceiling = Math.max(1, fdLimit - FD_HEADROOM);
  return requested === undefined ? ceiling : Math.min(requested, ceiling);
}
