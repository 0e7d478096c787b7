import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { hasStackTrace, run, runJson, tempDir } from "./helpers.js";

interface AppJson {
  id: string;
  name: string;
  suspended: boolean;
  plan: {
    name: string;
    maxConcurrentConnections: number | null;
    maxMessagesPerPeriod: number | null;
    periodSec: number;
  };
  createdAt: number;
}

describe("switchboard apps", () => {
  let tmp: ReturnType<typeof tempDir>;
  let dd: string[];
  beforeEach(() => {
    tmp = tempDir();
    dd = ["--data-dir", tmp.dataDir];
  });
  afterEach(() => tmp.cleanup());

  it("a fresh data dir lists the default app", async () => {
    const apps = await runJson<AppJson[]>(["apps", "list", ...dd]);
    expect(apps).toHaveLength(1);
    expect(apps[0]).toMatchObject({
      name: "default",
      suspended: false,
      plan: { maxConcurrentConnections: null, maxMessagesPerPeriod: null, periodSec: 2_592_000 },
    });
  });

  it("apps create takes a name and plan limits; list shows it after the default app", async () => {
    const app = await runJson<AppJson>([
      "apps",
      "create",
      "--name",
      "Acme",
      "--max-connections",
      "100",
      "--max-messages",
      "5000",
      "--period-sec",
      "86400",
      ...dd,
    ]);
    expect(app.id).toMatch(/^app_[0-9A-Za-z]{16}$/);
    expect(app).toMatchObject({
      name: "Acme",
      suspended: false,
      plan: { maxConcurrentConnections: 100, maxMessagesPerPeriod: 5000, periodSec: 86_400 },
    });
    const apps = await runJson<AppJson[]>(["apps", "list", ...dd]);
    expect(apps.map((a) => a.name)).toEqual(["default", "Acme"]);
    expect(apps[1]).toEqual(app);
    const human = await run(["apps", "list", ...dd]);
    expect(human.stdout).toContain("default (default)");
    expect(human.stdout).toContain(app.id);
  });

  it("apps update changes only what is given; unlimited clears a limit", async () => {
    const app = await runJson<AppJson>(["apps", "create", "--name", "a", "--max-connections", "10", ...dd]);
    const renamed = await runJson<AppJson>([
      "apps",
      "update",
      app.id,
      "--name",
      "b",
      "--max-messages",
      "7",
      ...dd,
    ]);
    expect(renamed).toMatchObject({
      name: "b",
      plan: { maxConcurrentConnections: 10, maxMessagesPerPeriod: 7 },
    });
    const cleared = await runJson<AppJson>([
      "apps",
      "update",
      app.id,
      "--max-connections",
      "unlimited",
      ...dd,
    ]);
    expect(cleared.plan).toEqual({
      name: "default",
      maxConcurrentConnections: null,
      maxMessagesPerPeriod: 7,
      periodSec: 2_592_000,
    });
  });

  it("apps suspend and resume flip the suspended flag", async () => {
    const app = await runJson<AppJson>(["apps", "create", "--name", "a", ...dd]);
    const suspended = await run(["apps", "suspend", app.id, ...dd]);
    expect(suspended.code).toBe(0);
    expect(suspended.stdout).toContain("suspended");
    expect((await runJson<AppJson[]>(["apps", "list", ...dd]))[1]?.suspended).toBe(true);
    expect((await runJson<AppJson>(["apps", "resume", app.id, ...dd])).suspended).toBe(false);
  });

  it("--plan-name labels the plan; apps delete removes an app with its keys, never the default app", async () => {
    const app = await runJson<AppJson>(["apps", "create", "--name", "a", "--plan-name", "pro", ...dd]);
    expect(app.plan.name).toBe("pro");
    const renamed = await runJson<AppJson>(["apps", "update", app.id, "--plan-name", "team", ...dd]);
    expect(renamed.plan).toMatchObject({ name: "team", maxConcurrentConnections: null });
    expect((await run(["apps", "list", ...dd])).stdout).toContain("team");
    const key = await runJson<{ id: string }>(["keys", "create", "--type", "secret", "--app", app.id, ...dd]);
    expect(await runJson(["apps", "delete", app.id, ...dd])).toEqual({ id: app.id, deleted: true });
    expect((await runJson<AppJson[]>(["apps", "list", ...dd])).map((a) => a.name)).toEqual(["default"]);
    expect(
      (await runJson<unknown[]>(["keys", "list", ...dd])).map((k) => (k as { id: string }).id),
    ).not.toContain(key.id);
    const [defaultApp] = await runJson<AppJson[]>(["apps", "list", ...dd]);
    const refused = await run(["apps", "delete", defaultApp?.id ?? "", ...dd]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/default app and cannot be deleted/);
  });

  it.each([
    [["apps", "delete", "app_nope"], 1, /app app_nope not found/],
    [["apps", "create", "--name", "x", "--plan-name", ""], 2, /--plan-name.*Must not be empty/],
    [["apps", "create"], 2, /required option '--name <name>'/],
    [["apps", "create", "--name", ""], 2, /--name.*Must not be empty/],
    [["apps", "create", "--name", "x", "--max-connections", "1.5"], 2, /--max-connections.*positive integer/],
    [["apps", "create", "--name", "x", "--max-messages", "0"], 2, /--max-messages/],
    [["apps", "create", "--name", "x", "--period-sec", "unlimited"], 2, /--period-sec.*integer/],
    [["apps", "create", "--name", "x".repeat(129)], 2, /at most 128 characters/],
    [["apps", "update", "app_nope", "--name", "x"], 1, /app app_nope not found/],
    [["apps", "update", "app_nope"], 2, /nothing to update/],
    [["apps", "suspend", "app_nope"], 1, /app app_nope not found/],
    [["apps", "resume"], 2, /missing required argument 'id'/],
    [["apps", "frobnicate"], 2, /unknown command 'frobnicate'/],
  ])("%j → exit %i with a one-line message", async (args, code, message) => {
    const r = await run([...args, ...dd]);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(hasStackTrace(r.stderr)).toBe(false);
  });
});
