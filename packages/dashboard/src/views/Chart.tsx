/** One series of a {@link LineChart}. */
export interface Series {
  name: string;
  values: number[];
  className: string;
}

/**
 * A hand-drawn SVG line chart: each series scaled to its own maximum over the window (the legend
 * gives the latest values), newest on the right. No dependency.
 */
export function LineChart({ series, slots, label }: { series: Series[]; slots: number; label: string }) {
  const w = 600;
  const h = 160;
  const pad = 6;
  // The window grows with the samples up to `slots`: the first minute is not a sliver at the edge.
  const width = Math.min(slots, Math.max(60, ...series.map((s) => s.values.length)));
  const latest = series.map((s) => `${s.name} ${fmt(s.values.at(-1) ?? 0)}`).join(", ");
  return (
    <figure class="chart">
      <svg
        viewBox={`0 0 ${w} ${h}`}
        preserveAspectRatio="none"
        role="img"
        aria-label={`${label}: ${latest}`}
        data-samples={series[0]?.values.length ?? 0}
      >
        {[0.25, 0.5, 0.75].map((f) => (
          <line key={f} x1={0} x2={w} y1={h * f} y2={h * f} class="grid-line" />
        ))}
        {series.map((s) => {
          const max = Math.max(1e-9, ...s.values);
          const offset = width - s.values.length;
          const points = s.values
            .map((v, i) => {
              const x = ((offset + i) / Math.max(1, width - 1)) * w;
              const y = h - pad - (v / max) * (h - 2 * pad);
              return `${x.toFixed(1)},${y.toFixed(1)}`;
            })
            .join(" ");
          return (
            <polyline key={s.name} points={points} class={`series ${s.className}`} data-series={s.name} />
          );
        })}
      </svg>
      <figcaption>
        {series.map((s) => (
          <span key={s.name} class={`legend ${s.className}`} data-legend={s.name}>
            {s.name}: {fmt(s.values.at(-1) ?? 0)} (max {fmt(Math.max(0, ...s.values))})
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

const fmt = (n: number): string => (Number.isInteger(n) ? String(n) : n.toFixed(3));
