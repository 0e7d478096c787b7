import { createHistogram } from "node:perf_hooks";

/** Event-loop delay since the previous {@link EventLoopLag.sample}, in seconds. */
export interface LagSample {
  p99Seconds: number;
  maxSeconds: number;
}

/** A running event-loop delay monitor; `stop()` ends it (close() calls it). */
export interface EventLoopLag {
  /** Delay percentiles since the last sample (or since start), then starts a new interval. */
  sample(): LagSample;
  stop(): void;
}

/**
 * Measures event-loop delay: a timer due every `resolutionMs` (default 20) records how late it
 * fired into a `perf_hooks` histogram. Each sample covers the interval since the previous one, so a
 * scrape every 15 s reports the worst stall of those 15 s; delays under about a millisecond are not
 * resolved. No file access, so it works at the open-file limit.
 *
 * Why not `monitorEventLoopDelay`: its `reset()` also forgets when it last ticked, so the interval
 * in progress at a scrape is dropped, and a stall that begins right after a scrape goes unseen.
 */
export function startEventLoopLag(resolutionMs = 20): EventLoopLag {
  const histogram = createHistogram();
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    const lateNs = Math.round((now - last - resolutionMs) * 1e6);
    histogram.record(Math.max(1, lateNs)); // the histogram takes integers ≥ 1
    last = now;
  }, resolutionMs);
  timer.unref();
  return {
    sample() {
      const seconds = (ns: number) => (histogram.count > 0 ? ns / 1e9 : 0);
      const result = { p99Seconds: seconds(histogram.percentile(99)), maxSeconds: seconds(histogram.max) };
      histogram.reset();
      return result;
    },
    stop() {
      clearInterval(timer);
    },
  };
}
