/**
 * Gates suites on machine tools (Chromium, coturn, redis-server) and services (a Redis on 6379)
 * that npm cannot install. Without them a
 * developer's `npm test` still passes: the suites skip, with one notice saying what to install.
 * With `CI=true` a missing tool fails the run instead, so CI can never go green by skipping.
 */
import { accessSync, constants, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, isAbsolute, join } from "node:path";
import { describe, it } from "vitest";

/** A program a suite needs, and the Debian package that provides it. */
export interface Tool {
  /** An absolute path, or a command name looked up on `PATH`. */
  command: string;
  /** The Debian package (`apt-get install <package>`). */
  aptPackage: string;
}

export const CHROMIUM: Tool = { command: "/usr/bin/chromium", aptPackage: "chromium" };
export const COTURN: Tool = { command: "turnserver", aptPackage: "coturn" };
export const REDIS_SERVER: Tool = { command: "redis-server", aptPackage: "redis-server" };
export const HAPROXY: Tool = { command: "haproxy", aptPackage: "haproxy" };

/** Every tool any gated suite needs: the notice names them all, so one install fixes every skip. */
const ALL_TOOLS = [CHROMIUM, COTURN, REDIS_SERVER, HAPROXY];

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** True when `tool.command` can be run. */
export function available(tool: Tool): boolean {
  if (isAbsolute(tool.command)) return executable(tool.command);
  const dirs = (process.env.PATH ?? "").split(delimiter).filter(Boolean);
  return dirs.some((dir) => executable(join(dir, tool.command)));
}

/** One line naming what is missing and the command that installs every gated tool. */
function missingMessage(missing: Tool[]): string {
  const names = missing.map((t) => t.command).join(", ");
  const unavailable = [...missing, ...ALL_TOOLS.filter((t) => !available(t))];
  const install = [...new Set(unavailable.map((t) => t.aptPackage))];
  return `missing ${names}: install with \`apt-get install ${install.join(" ")}\``;
}

/**
 * Prints the skip notice once per vitest run. Test files run in separate worker processes, so the
 * run is recognised by the parent's pid, kept in a file under the temp dir (two workers checking in
 * the very same instant may both print: harmless).
 */
function noticeOnce(message: string, topic = "tools", what = "the browser and TURN suites"): void {
  const marker = join(tmpdir(), `switchboard-missing-${topic}-notice`);
  const run = String(process.ppid);
  try {
    if (readFileSync(marker, "utf8") === run) return;
  } catch {
    // No marker yet: this is the first notice.
  }
  writeFileSync(marker, run);
  console.warn(`[switchboard] skipping ${what}: ${message}`);
}

/**
 * `describe` for a suite that needs `tools`. All present: an ordinary `describe`. One missing: the
 * suite is skipped (hooks included, so keep them inside it) after one notice, or, with `CI=true`,
 * replaced by a single failing test carrying the same message.
 */
export function describeWithTools(
  ...tools: Tool[]
): (name: string, body: () => void, options?: { retry?: number }) => void {
  const missing = tools.filter((tool) => !available(tool));
  if (missing.length === 0) return (name, body, options = {}) => describe(name, options, body);
  const message = missingMessage(missing);
  if (process.env.CI === "true") {
    return (name) =>
      describe(name, () => {
        it("has the tools it needs", () => {
          throw new Error(message);
        });
      });
  }
  noticeOnce(message);
  return (name, body) => describe.skip(name, body);
}

/**
 * `describe` for a suite that needs a running service (the machine's Redis): `problem` undefined
 * means it is there. Otherwise, as {@link describeWithTools}: skipped after one notice per run and
 * `topic`, or, with `CI=true`, a single failing test carrying `problem`.
 */
export function describeWithService(
  topic: string,
  problem: string | undefined,
): (name: string, body: () => void) => void {
  if (problem === undefined) return (name, body) => describe(name, body);
  if (process.env.CI === "true") {
    return (name) =>
      describe(name, () => {
        it(`has ${topic}`, () => {
          throw new Error(problem);
        });
      });
  }
  noticeOnce(problem, topic, `the suites that need ${topic}`);
  return (name, body) => describe.skip(name, body);
}
