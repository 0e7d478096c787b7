import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach } from "vitest";

/** The built launcher; `npm run build` must have run (the root `npm test` does). */
export const BIN = fileURLToPath(new URL("../bin/switchboard.js", import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Env without any SWITCHBOARD_* variable of the surrounding shell, plus `extra`. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("SWITCHBOARD_")) env[k] = v;
  return { ...env, ...extra };
}

/** Runs the CLI to completion. */
export function run(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: cleanEnv(options.env), cwd: options.cwd });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs the CLI, expects exit 0 and JSON on stdout. */
export async function runJson<T = unknown>(args: string[], env?: Record<string, string>): Promise<T> {
  const r = await run([...args, "--json"], env ? { env } : {});
  if (r.code !== 0) throw new Error(`switchboard ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** A temp directory removed by the returned cleanup. */
export function tempDir(): { dir: string; dataDir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "switchboard-cli-"));
  return { dir, dataDir: join(dir, "data"), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A running `switchboard serve` whose banner has been printed. */
export interface Served {
  child: ChildProcess;
  port: number;
  stdout: string;
  stderr: () => string;
  /** Sends `signal` and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `serve` and resolves once the "listening" line is on stdout (rejects if it exits first). */
export function serve(args: string[], env: Record<string, string> = {}): Promise<Served> {
  const child = spawn(process.execPath, [BIN, "serve", ...args], { env: cleanEnv(env) });
  let stdout = "";
  let stderr = "";
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${stderr}`)), 15_000);
    child.stderr?.on("data", (d) => (stderr += d));
    child.stdout?.on("data", (d) => {
      stdout += d;
      const m =
        /Switchboard listening on https?:\/\/127\.0\.0\.1:(\d+) \(WebSocket wss?:\/\/127\.0\.0\.1:\d+\/v1\)/.exec(
          stdout,
        );
      if (!m) return;
      clearTimeout(timer);
      resolve({
        child,
        port: Number(m[1]),
        stdout,
        stderr: () => stderr,
        stop: async (signal = "SIGTERM") => {
          if (child.exitCode === null) child.kill(signal);
          return exited;
        },
      });
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}: ${stderr}`));
    });
  });
}

/** True when `text` looks like it carries a stack trace. */
export function hasStackTrace(text: string): boolean {
  return /\n\s+at .+[:(]/.test(text) || /\bError: .*\n\s+at /.test(text);
}

/**
 * A fresh temp data dir per test and every server started through it stopped (SIGKILL) and
 * removed after the test: the set-up each `serve` suite needs. Call it inside a `describe`.
 */
export function serveFixture(): {
  readonly tmp: ReturnType<typeof tempDir>;
  serve(args: string[], env?: Record<string, string>): Promise<Served>;
} {
  let tmp: ReturnType<typeof tempDir> | undefined;
  const started: Served[] = [];
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(async () => {
    for (const served of started.splice(0)) await served.stop("SIGKILL");
    tmp?.cleanup();
    tmp = undefined;
  });
  return {
    get tmp() {
      if (tmp === undefined) throw new Error("serveFixture().tmp is only there during a test");
      return tmp;
    },
    async serve(args, env = {}) {
      const served = await serve(args, env);
      started.push(served);
      return served;
    },
  };
}

/** The first-start banner's secret key (`Secret key id:` and `Secret:` lines). */
export function bannerSecretKey(stdout: string): { id: string; secret: string } {
  const id = /Secret key id: +(\S+)/.exec(stdout)?.[1];
  const secret = /Secret: +(\S+)/.exec(stdout)?.[1];
  if (id === undefined || secret === undefined) throw new Error(`no secret key in the banner:\n${stdout}`);
  return { id, secret };
}
