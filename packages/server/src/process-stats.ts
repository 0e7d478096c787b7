import { readdirSync } from "node:fs";
import { getHeapStatistics } from "node:v8";

/**
 * Reads process statistics for `/metrics`. Each reader may throw: near the open-file limit anything
 * that opens a file under /proc fails with EMFILE, and the scrape must still answer with the rest.
 */
export interface ProcessStatsReader {
  /** Resident set size in bytes (Linux reads /proc/self/stat). */
  residentMemoryBytes(): number;
  /** Open file descriptors (Linux: entries of /proc/self/fd). */
  openFds(): number;
  /** V8 heap in use, in bytes (no file access). */
  heapUsedBytes(): number;
}

/** The real readers. */
export const processStats: ProcessStatsReader = {
  residentMemoryBytes: () => process.memoryUsage.rss(),
  // Listing the directory itself holds one descriptor, which is not the process's own.
  openFds: () => readdirSync("/proc/self/fd").length - 1,
  heapUsedBytes: () => getHeapStatistics().used_heap_size,
};
