import { StoreError } from "@switchboard/server";
import { CommanderError } from "commander";

/** Exit status for bad flags, bad values and bad configuration. */
export const EXIT_USAGE = 2;
/** Exit status for failures at run time (unknown id, I/O error, port in use, …). */
export const EXIT_RUNTIME = 1;

/** A mistake in how the command was called; exits with {@link EXIT_USAGE}. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** A well-understood failure at run time (unknown app, key limit, …); exits with {@link EXIT_RUNTIME}. */
export class CliError extends Error {
  override readonly name = "CliError";
}

/**
 * Reports `err` as one line on stderr (never a stack trace, unless `SWITCHBOARD_DEBUG` is set) and
 * returns the exit status. Commander has already printed its own messages, so those only map.
 */
export function reportError(err: unknown): number {
  if (err instanceof CommanderError) {
    // 0: --help / --version. Anything else commander rejects is a usage error.
    return err.exitCode === 0 ? 0 : EXIT_USAGE;
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`switchboard: ${message.split("\n")[0]}\n`);
  if (process.env.SWITCHBOARD_DEBUG && err instanceof Error && err.stack)
    process.stderr.write(`${err.stack}\n`);
  if (err instanceof UsageError) return EXIT_USAGE;
  // Invalid input found by the store (bad origin, bad pattern, …) is the caller's mistake too.
  if (err instanceof StoreError && err.code === "invalid_input") return EXIT_USAGE;
  return EXIT_RUNTIME;
}
