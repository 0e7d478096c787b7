import { ACTIONS, type Action, channelError, isAction, isValidPeerId } from "@switchboard/protocol";
import { InvalidArgumentError } from "commander";

/**
 * Option-value parsers for commander. Each throws `InvalidArgumentError`, which commander turns
 * into one line naming the option and the value, and exit status 2.
 */

const DIGITS = /^[0-9]+$/;

/** A decimal integer in [min, max]; rejects signs, fractions, exponents and blanks ("1.5", "1e3", " 7"). */
export function integerIn(min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    const n = DIGITS.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`;
      throw new InvalidArgumentError(`Expected an integer ${range}.`);
    }
    return n;
  };
}

/** TCP port 0–65535 (0 picks a free port). */
export const parsePort = integerIn(0, 65_535);

/**
 * A positive integer, or the word `unlimited` (plan limits). Kept as the word, not null: commander
 * replaces a parser's null with "".
 */
export function parseLimit(value: string): number | "unlimited" {
  if (value === "unlimited") return value;
  try {
    return integerIn(1)(value);
  } catch {
    throw new InvalidArgumentError('Expected a positive integer or "unlimited".');
  }
}

/**
 * A comma-separated list; entries are trimmed and may not be empty. (A channel pattern that
 * itself contains a comma cannot be given this way; use the admin API for those.)
 */
export function parseList(value: string): string[] {
  const items = value.split(",").map((s) => s.trim());
  if (items.some((s) => s === ""))
    throw new InvalidArgumentError("Expected a comma-separated list without empty entries.");
  return items;
}

/** A list of channel patterns, each a valid pattern (protocol.md §3, §8); at most 100. */
export function parsePatterns(value: string): string[] {
  const items = parseList(value);
  if (items.length > 100) throw new InvalidArgumentError("At most 100 channel patterns.");
  const bad = items.find((p) => channelError(p) === "invalid_channel");
  if (bad !== undefined) throw new InvalidArgumentError(`Invalid channel pattern ${JSON.stringify(bad)}.`);
  return items;
}

/** A list of actions, each one of subscribe, publish, presence, send. */
export function parseActions(value: string): Action[] {
  const items = parseList(value);
  const bad = items.find((a) => !isAction(a));
  if (bad !== undefined) {
    throw new InvalidArgumentError(`Unknown action ${JSON.stringify(bad)}; allowed: ${ACTIONS.join(", ")}.`);
  }
  return [...new Set(items as Action[])];
}

/** JSON text that parses to an object (not an array, not null), at most `maxBytes` serialized. */
export function jsonObject(maxBytes: number): (value: string) => Record<string, unknown> {
  return (value) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new InvalidArgumentError("Expected JSON text.");
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw new InvalidArgumentError("Expected a JSON object.");
    }
    if (Buffer.byteLength(JSON.stringify(parsed)) > maxBytes) {
      throw new InvalidArgumentError(`The JSON object must be at most ${maxBytes} bytes.`);
    }
    return parsed as Record<string, unknown>;
  };
}

/** A peer id (`sub`): 1–128 printable ASCII characters (protocol.md §2). */
export function parsePeerId(value: string): string {
  if (!isValidPeerId(value)) throw new InvalidArgumentError("Expected 1–128 printable ASCII characters.");
  return value;
}

/** pino levels. */
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** A string usable in an HTTP header: 1–512 visible ASCII characters (admin token). */
export function parseHeaderToken(value: string): string {
  if (!/^[\x21-\x7e]{1,512}$/.test(value)) {
    throw new InvalidArgumentError("Expected 1–512 visible ASCII characters (no spaces).");
  }
  return value;
}

/** A non-empty string. */
export function nonEmpty(value: string): string {
  if (value.trim() === "") throw new InvalidArgumentError("Must not be empty.");
  return value;
}

/** A value that must start with `prefix` (key ids and secrets), with a hint when it does not. */
export function prefixed(prefix: string, hint: string): (value: string) => string {
  return (value) => {
    if (!value.startsWith(prefix) || value.length === prefix.length) {
      throw new InvalidArgumentError(`Expected ${prefix}…; ${hint}`);
    }
    return value;
  };
}
