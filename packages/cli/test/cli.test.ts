import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { cleanEnv, hasStackTrace, REPO_ROOT, run } from "./helpers.js";

describe("switchboard (program)", () => {
  it("npx --no-install switchboard works from the repo root", () => {
    const r = spawnSync("npx", ["--no-install", "switchboard", "--version"], {
      cwd: REPO_ROOT,
      env: cleanEnv(),
      encoding: "utf8",
    });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("--help exits 0 and lists the commands", async () => {
    const r = await run(["--help"]);
    expect(r.code).toBe(0);
    for (const command of ["serve", "keys", "apps", "token"]) expect(r.stdout).toContain(command);
  });

  it.each([
    [["frobnicate"], /unknown command 'frobnicate'/],
    [["--bogus"], /unknown option '--bogus'/],
    [["keys", "create", "--type"], /argument missing/],
  ])("%j → exit 2, one line, no stack trace", async (args, message) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(hasStackTrace(r.stderr)).toBe(false);
  });

  it("an unusable data dir → exit 1 with one line naming it", async () => {
    const r = await run(["apps", "list", "--data-dir", "/proc/version/nope"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^switchboard: cannot open the data dir \/proc\/version\/nope: /);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });
});
