import { readFileSync } from "node:fs";
import { Command } from "commander";
import { registerApps } from "./commands/apps.js";
import { registerKeys } from "./commands/keys.js";
import { registerServe } from "./commands/serve.js";
import { registerToken } from "./commands/token.js";
import { reportError } from "./errors.js";

/**
 * The `switchboard` command. Exit status: 0 success, 1 runtime failure, 2 usage error (unknown
 * option, bad value, bad config). Every failure is one line on stderr, never a stack trace.
 */
export function buildProgram(): Command {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  const program = new Command("switchboard")
    .description("Switchboard: self-hosted realtime messaging and WebRTC signalling server")
    .version(pkg.version)
    // Settings made here are inherited by every subcommand created after them with .command().
    .exitOverride()
    .showSuggestionAfterError()
    .configureOutput({
      // Commander's own errors ("error: unknown option '--x'") get the same prefix as ours.
      outputError: (text, write) => write(`switchboard: ${text.replace(/^error: /, "")}`),
    });
  registerServe(program);
  registerKeys(program);
  registerApps(program);
  registerToken(program);
  return program;
}

/** An empty `SWITCHBOARD_*` variable means "not set", as it does for most tools. */
function dropEmptyEnv(): void {
  for (const [name, value] of Object.entries(process.env)) {
    if (name.startsWith("SWITCHBOARD_") && value === "") delete process.env[name];
  }
}

async function main(): Promise<void> {
  dropEmptyEnv();
  try {
    await buildProgram().parseAsync(process.argv);
  } catch (err) {
    process.exitCode = reportError(err);
  }
}

await main();
