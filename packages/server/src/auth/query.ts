/**
 * The query of an HTTP request target (`req.url`, origin-form) as
 * `new URL(target, "http://localhost").searchParams` gives it, without parsing a whole URL on
 * every connect. The query is what follows the first `?` before any `#`. The two agree for every
 * target Node's HTTP parser lets through (printable ASCII and bytes ≥ 0x80: no spaces or controls,
 * so the URL parser neither trims nor strips anything, and the percent-encoding it applies to the
 * query is undone again by URLSearchParams).
 */
export function queryOf(target: string): URLSearchParams {
  const hash = target.indexOf("#");
  const beforeHash = hash === -1 ? target : target.slice(0, hash);
  const start = beforeHash.indexOf("?");
  return new URLSearchParams(start === -1 ? "" : beforeHash.slice(start + 1));
}
