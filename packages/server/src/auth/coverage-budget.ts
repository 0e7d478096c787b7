import { type Coverage, patternsCoverageSearch } from "@switchboard/protocol";

/**
 * How much pattern-coverage work (`patternCoverage` state transitions) one client action may make
 * the server do: a wildcard subscribe, a `POST /v1/tokens`, a JWT handshake (protocol.md §3,
 * hardening). One bound for all three, and the work of a subscribe is paid for in frames.
 */

/**
 * Coverage-search work that costs one extra frame of the connection's rate budget. Ordinary
 * wildcard subscriptions take 0–90 transitions, so they cost nothing extra. A transition costs
 * 0.04–0.3 µs warm (measured on 2 shared cores), so sustained a client can make the server spend at
 * most ≈ 30 µs of coverage work per frame of its budget.
 */
export const COVERAGE_STEPS_PER_FRAME = 100;

/**
 * The coverage bound of one subscribe, token request or handshake (for a request: all its channels
 * together): 5,000 transitions, ≈ 0.2–1.5 ms for the most expensive patterns found (the library's
 * own bound, 500,000, took 14–57 ms). A check cut off here refuses: a token request gets 403, a
 * handshake 4003, and a subscribe closes the connection with 4011 whatever its bucket holds, so no
 * configured `rateBurst` lets a client buy more searches like it. Honest checks stay far below it
 * (100 channels of ordinary patterns take a few thousand transitions at most; a pattern its scope
 * holds verbatim, or a `**` scope, takes none).
 */
export const COVERAGE_BUDGET = 5_000;

/**
 * The extra frames a coverage search of `steps` transitions costs, or `Infinity` when it was cut
 * off at {@link COVERAGE_BUDGET} (`covered` false with the bound reached).
 */
export function coverageCharge(coverage: { covered: boolean; steps: number }): number {
  if (!coverage.covered && coverage.steps >= COVERAGE_BUDGET) return Number.POSITIVE_INFINITY;
  return Math.floor(coverage.steps / COVERAGE_STEPS_PER_FRAME);
}

/**
 * Transitions a token request's or handshake's coverage search makes before it lets the event
 * loop run other clients' work (≈ 20–150 µs): the bound caps a search's total cost, slicing caps
 * how long any one client holds the loop, so frames of other connections do not queue behind it.
 */
export const COVERAGE_SLICE_STEPS = 500;

/**
 * `patternsCoverage(as, bs, maxSteps)` with the search paused every {@link COVERAGE_SLICE_STEPS}
 * transitions until the next event-loop turn (`setImmediate`); same answer, same steps.
 */
export async function patternsCoverageInSlices(
  as: readonly string[],
  bs: readonly string[],
  maxSteps: number,
): Promise<Coverage> {
  const search = patternsCoverageSearch(as, bs, maxSteps, COVERAGE_SLICE_STEPS);
  let next = search.next();
  while (!next.done) {
    await new Promise<void>((resume) => setImmediate(resume));
    next = search.next();
  }
  return next.value;
}
