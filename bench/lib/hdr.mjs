// Latency histograms in microseconds: hdr-histogram-js if installed, else a sorted sample array.
// Histograms travel between processes as {kind, data} (compressed base64 or raw samples).
let hdr = null;
try {
  hdr = (await import("hdr-histogram-js")).default;
} catch {
  hdr = null;
}

export function createHistogram() {
  if (hdr) {
    const h = hdr.build({
      lowestDiscernibleValue: 1,
      highestTrackableValue: 600_000_000,
      numberOfSignificantValueDigits: 3,
    });
    return {
      record: (us) => h.recordValue(Math.max(1, Math.round(us))),
      reset: () => h.reset(),
      count: () => h.totalCount,
      export: () => ({ kind: "hdr", data: hdr.encodeIntoCompressedBase64(h) }),
    };
  }
  let samples = [];
  return {
    record: (us) => {
      if (samples.length < 2_000_000) samples.push(us);
    },
    reset: () => {
      samples = [];
    },
    count: () => samples.length,
    export: () => ({ kind: "samples", data: samples }),
  };
}

/** Merges exported histograms and returns percentiles in ms. */
export function percentiles(exports, ps = [50, 99, 99.9]) {
  let values;
  if (exports.every((e) => e.kind === "hdr") && hdr) {
    const total = hdr.build({
      lowestDiscernibleValue: 1,
      highestTrackableValue: 600_000_000,
      numberOfSignificantValueDigits: 3,
    });
    for (const e of exports) total.add(hdr.decodeFromCompressedBase64(e.data));
    if (total.totalCount === 0) return null;
    return {
      count: total.totalCount,
      ...Object.fromEntries(ps.map((p) => [p, total.getValueAtPercentile(p) / 1000])),
    };
  }
  values = exports.flatMap((e) => e.data).sort((a, b) => a - b);
  if (!values.length) return null;
  const at = (p) => values[Math.min(values.length - 1, Math.ceil((p / 100) * values.length) - 1)] / 1000;
  return { count: values.length, ...Object.fromEntries(ps.map((p) => [p, at(p)])) };
}

// CLOCK_MONOTONIC: one clock for every process on the host, unlike `performance.timeOrigin`, which
// each process fixes from the wall clock at its own start (off by up to milliseconds between them).
export const nowUs = () => Number(process.hrtime.bigint() / 1000n);
