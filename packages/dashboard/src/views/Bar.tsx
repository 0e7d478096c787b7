let nextId = 0;

/** One usage bar: `used` of `limit` (null: unlimited), a native meter with a visible label. */
export function UsageBar({ label, used, limit }: { label: string; used: number; limit: number | null }) {
  const id = `usage-${++nextId}`;
  const text = limit === null ? `${used} (unlimited)` : `${used} of ${limit}`;
  return (
    <div class="usage">
      <label for={id} class="usage-label">
        {label}: {text}
      </label>
      <meter
        id={id}
        min={0}
        max={limit ?? Math.max(used, 1)}
        high={limit === null ? undefined : limit * 0.9}
        value={limit === null ? 0 : used}
        aria-valuetext={text}
      />
    </div>
  );
}
