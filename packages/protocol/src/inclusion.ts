/**
 * Internal: language inclusion between channel patterns, with a counterexample when it fails.
 * Not re-exported; `patternCovers` (coverage.ts) is the public face.
 *
 * Each pattern is an NFA over tokens (glob.ts). Inclusion L(a) ⊆ L(b₁) ∪ … ∪ L(bₙ) is decided by
 * exploring, breadth-first, the deterministic product "set of a's states × set of all b states"
 * reached by the same input, and failing on a configuration where `a` accepts and no `b` does.
 * The alphabet is infinite, but from a given configuration every character that is neither `/` nor
 * a literal of one of its states behaves the same, so one representative ("other") stands for all.
 */

import { DSTAR, isWildcard, STAR, type Token } from "./glob.js";

/**
 * Past this many distinct configurations the search gives up. Real scopes need a few hundred at
 * most; blowing up takes deliberately pathological patterns like `**a*\/*\/*\/…`.
 */
export const MAX_CONFIGS = 200_000;
/**
 * Past this many single-state transitions (summed over the search) it gives up, too. This is the
 * bound that holds the worst case to tens of milliseconds: clients choose `a` (wildcard subscribe),
 * and the server runs this check on its event loop.
 */
export const MAX_STEPS = 500_000;

/**
 * `covered`: L(a) ⊆ ∪ L(b). `uncovered`: `witness` is matched by `a` and by no `b` (short: the
 * breadth-first search finds a shortest proving prefix). `unknown`: the search hit its bounds.
 */
export type Inclusion = (
  | { kind: "covered" }
  | { kind: "uncovered"; witness: string }
  | { kind: "unknown" }
) & {
  /** Single-state transitions the search made (≤ {@link MAX_STEPS} + one configuration's worth). */
  steps: number;
};

const SLASH = 0x2f;
/** Stands for every character that is not `/` and not a literal of the current states. */
const OTHER = -100;
/** Token value of an accepting state in the flattened state tables. */
const ACCEPT = -3;

const NONE: number[] = [];

/** One explored configuration and how it was reached (for rebuilding the witness). */
interface Config {
  a: number[];
  b: number[];
  parent: number;
  char: number;
}

/** The b side of {@link inclusion}, built once by {@link unionOf} for several checks against it. */
export type Union = Automaton;

/** Prepares tokenised patterns `bs` for repeated {@link inclusion} checks (O(total length)). */
export function unionOf(bs: readonly (readonly Token[])[]): Union {
  return new Automaton(bs);
}

/**
 * Decides whether pattern `a` is covered by the union of patterns `bs` (tokenised, or prepared by
 * {@link unionOf}), giving up (`unknown`) past {@link MAX_CONFIGS} configurations or `maxSteps`
 * transitions (default and ceiling {@link MAX_STEPS}).
 */
export function inclusion(
  a: readonly Token[],
  bs: readonly (readonly Token[])[] | Union,
  maxSteps: number = MAX_STEPS,
): Inclusion {
  return finish(inclusionSearch(a, bs, maxSteps, Number.POSITIVE_INFINITY));
}

/** Runs a sliced search to its end without pausing. */
export function finish<T>(search: Generator<void, T, void>): T {
  let next = search.next();
  while (!next.done) next = search.next();
  return next.value;
}

/**
 * {@link inclusion} in slices: the generator pauses (yields) each time about `sliceSteps` more
 * transitions have been made, so a caller can let other work run between slices, and returns the
 * same answer `inclusion` would.
 */
export function* inclusionSearch(
  a: readonly Token[],
  bs: readonly (readonly Token[])[] | Union,
  maxSteps: number,
  sliceSteps: number,
): Generator<void, Inclusion, void> {
  const stepBound = Math.min(maxSteps, MAX_STEPS);
  let pauseAt = sliceSteps;
  const aut = new Automaton([a]);
  const bAut = bs instanceof Automaton ? bs : new Automaton(bs);
  const configs: Config[] = [];
  const visited = new Set<string>();
  let steps = 0;

  // Returns the index of a configuration that proves non-inclusion, or -1 (queuing it if new).
  const visit = (config: Config): number => {
    if (bAut.isUniversal(config.b)) return -1; // everything from here on is covered
    configs.push(config);
    // Every state of a glob NFA can still reach acceptance, so with no b alive a counterexample
    // exists (and `a` is never empty here).
    if (config.b.length === 0 || (aut.accepts(config.a) && !bAut.accepts(config.b)))
      return configs.length - 1;
    const key = keyOf(config);
    if (visited.has(key)) configs.pop();
    else visited.add(key);
    return -1;
  };

  let bad = visit({ a: aut.start(), b: bAut.start(), parent: -1, char: 0 });
  for (let head = 0; bad < 0 && head < configs.length; head++) {
    if (steps >= pauseAt) {
      yield;
      pauseAt = steps + sliceSteps;
    }
    const config = configs[head] as Config;
    const { a: aStates, b: bStates } = config;
    config.a = config.b = NONE; // only `parent` and `char` are needed from here on (for the witness)
    const alphabet = new Set<number>();
    if (aut.literals(aStates, alphabet)) {
      // `a` can consume characters beyond its own literals, so distinguish b's literals, `/` and
      // "anything else" too. Otherwise any other character would kill `a`: nothing to check.
      bAut.literals(bStates, alphabet);
      alphabet.add(SLASH);
      alphabet.add(OTHER);
    }
    for (const char of alphabet) {
      steps += aStates.length;
      const aNext = aut.step(aStates, char);
      if (aNext.length === 0) continue;
      steps += bStates.length;
      bad = visit({ a: aNext, b: bAut.step(bStates, char), parent: head, char });
      if (bad >= 0) break;
      if (visited.size > MAX_CONFIGS || steps > stepBound) return { kind: "unknown", steps };
    }
  }
  if (bad < 0) return { kind: "covered", steps };
  // The path leads to a configuration where `a` accepts and no `b` does, or where no `b` is alive
  // any more; in the second case finish it along `a`'s remaining tokens to make `a` accept.
  const proof = configs[bad] as Config;
  const rest = aut.accepts(proof.a) ? "" : completion(a, proof.a[proof.a.length - 1] as number);
  return { kind: "uncovered", witness: witness(configs, bad, [a, ...bAut.patterns]) + rest, steps };
}

/** The shortest string taking pattern `tokens` from `state` to acceptance (wildcards match nothing). */
function completion(tokens: readonly Token[], state: number): string {
  let text = "";
  for (const token of tokens.slice(state)) if (!isWildcard(token)) text += String.fromCharCode(token);
  return text;
}

/** An exact string key for a configuration (state numbers as UTF-16 units where they fit). */
function keyOf({ a, b }: Config): string {
  const compact = (states: number[]) =>
    states.length <= 4096 && states.every((s) => s < 0xffff)
      ? String.fromCharCode(...states)
      : `\uffff${states.join(",")}`;
  return `${compact(a)}\uffff\uffff${compact(b)}`;
}

/** Spells the input that led to configuration `at`, with a concrete character for "other". */
function witness(configs: readonly Config[], at: number, patterns: readonly (readonly Token[])[]): string {
  const used = new Set(patterns.flat());
  let other = 0x61; // prefer a readable letter that no pattern mentions
  while (used.has(other) || other === SLASH) other++;
  let text = "";
  for (let c = configs[at]; c !== undefined && c.parent >= 0; c = configs[c.parent]) {
    text = String.fromCharCode(c.char === OTHER ? other : c.char) + text;
  }
  return text;
}

/**
 * Several pattern NFAs laid side by side in one table: pattern j's state i is global state
 * `offset_j + i`, and each pattern's last state holds {@link ACCEPT}. A class only because it owns
 * reusable scratch space for building state sets; it lives for one `inclusion` call.
 */
class Automaton {
  readonly tokens: Int32Array;
  readonly starts: number[] = [];
  readonly patterns: readonly (readonly Token[])[];
  /** Per state: 1 when every continuation is accepted from here (only `**` is left). */
  private readonly universal: Uint8Array;
  /** `seen[s] === stamp` ⇔ state s is already in the set being built. */
  private readonly seen: Uint32Array;
  private stamp = 0;
  private out: number[] = [];
  private sorted = true;

  constructor(patterns: readonly (readonly Token[])[]) {
    this.patterns = patterns;
    const size = patterns.reduce((n, p) => n + p.length + 1, 0);
    this.tokens = new Int32Array(size);
    this.universal = new Uint8Array(size);
    this.seen = new Uint32Array(size);
    let at = 0;
    for (const pattern of patterns) {
      this.starts.push(at);
      pattern.forEach((token, i) => {
        this.tokens[at] = token;
        this.universal[at++] = token === DSTAR && i === pattern.length - 1 ? 1 : 0;
      });
      this.tokens[at++] = ACCEPT;
    }
  }

  /** The epsilon-closed start set: every pattern's state 0. */
  start(): number[] {
    this.begin();
    for (const s of this.starts) this.add(s);
    return this.finish();
  }

  /** The epsilon-closed, sorted set reached from `states` by reading code unit `c` (or OTHER). */
  step(states: readonly number[], c: number): number[] {
    this.begin();
    for (const s of states) {
      const token = this.tokens[s] as Token;
      if (token === DSTAR || (token === STAR && c !== SLASH)) this.add(s);
      else if (token === c) this.add(s + 1); // never true for OTHER or ACCEPT: both are negative
    }
    return this.finish();
  }

  accepts(states: readonly number[]): boolean {
    return states.some((s) => this.tokens[s] === ACCEPT);
  }

  /** Some state accepts every continuation, so the whole configuration is covered for good. */
  isUniversal(states: readonly number[]): boolean {
    return states.some((s) => this.universal[s] === 1);
  }

  /**
   * Adds to `into` the literal code units some state in `states` can consume next; returns whether
   * some state is a wildcard (and so can consume characters other than those).
   */
  literals(states: readonly number[], into: Set<number>): boolean {
    let wildcard = false;
    for (const s of states) {
      const token = this.tokens[s] as Token;
      if (token >= 0) into.add(token);
      else if (token !== ACCEPT) wildcard = true;
    }
    return wildcard;
  }

  private begin(): void {
    if (this.stamp === 0xffff_ffff) {
      this.seen.fill(0); // practically unreachable wrap-around of the generation stamp
      this.stamp = 0;
    }
    this.stamp++;
    this.out = [];
    this.sorted = true;
  }

  private add(state: number): void {
    // A wildcard may match nothing, so the state after it is active as well.
    for (let s = state; this.seen[s] !== this.stamp; s++) {
      this.seen[s] = this.stamp;
      const last = this.out[this.out.length - 1];
      if (last !== undefined && last > s) this.sorted = false;
      this.out.push(s);
      if (!isWildcard(this.tokens[s] as Token)) break;
    }
  }

  /** Sets are kept sorted so that equal sets have equal keys. */
  private finish(): number[] {
    return this.sorted ? this.out : this.out.sort((x, y) => x - y);
  }
}
