import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { hasStackTrace, run, runJson, tempDir } from "./helpers.js";

interface KeyJson {
  id: string;
  secret?: string;
  type: string;
  appId: string;
  channelPatterns: string[];
  actions: string[];
  allowedOrigins: string[];
  autoInjectTurn: boolean;
  createdAt: number;
  revoked?: boolean;
  revokedAt?: number | null;
}

describe("switchboard keys", () => {
  let tmp: ReturnType<typeof tempDir>;
  let dd: string[];
  beforeEach(() => {
    tmp = tempDir();
    dd = ["--data-dir", tmp.dataDir];
  });
  afterEach(() => tmp.cleanup());

  it("keys create --json prints one object with the protocol defaults", async () => {
    const pk = await runJson<KeyJson>(["keys", "create", "--type", "publishable", ...dd]);
    expect(Object.keys(pk)).toEqual([
      "id",
      "type",
      "appId",
      "channelPatterns",
      "actions",
      "allowedOrigins",
      "autoInjectTurn",
      "createdAt",
    ]);
    expect(pk).toMatchObject({
      type: "publishable",
      channelPatterns: ["**"],
      actions: ["subscribe", "publish", "presence"],
      allowedOrigins: [],
      // Publishable keys opt in to TURN with --turn (hardening).
      autoInjectTurn: false,
    });
    expect(pk.id).toMatch(/^pk_live_[0-9A-Za-z]{24}$/);
    expect(pk.appId).toMatch(/^app_[0-9A-Za-z]{16}$/);

    const sk = await runJson<KeyJson>(["keys", "create", "--type", "secret", ...dd]);
    expect(sk.id).toMatch(/^sk_id_[0-9A-Za-z]{24}$/);
    expect(sk.secret).toMatch(/^sk_secret_[0-9A-Za-z_-]{43}$/);
    expect(sk.actions).toEqual(["subscribe", "publish", "presence", "send"]);
    expect(sk.autoInjectTurn).toBe(true);
    expect(sk.appId).toBe(pk.appId);
  });

  it("keys create --turn opts a publishable key in; --no-turn opts a secret key out", async () => {
    const pk = await runJson<KeyJson>(["keys", "create", "--type", "publishable", "--turn", ...dd]);
    expect(pk.autoInjectTurn).toBe(true);
    const sk = await runJson<KeyJson>(["keys", "create", "--type", "secret", "--no-turn", ...dd]);
    expect(sk.autoInjectTurn).toBe(false);
  });

  it("passes --channels, --actions, --origins and --no-turn through", async () => {
    const key = await runJson<KeyJson>([
      "keys",
      "create",
      "--type",
      "publishable",
      "--channels",
      "room-*,lobby",
      "--actions",
      "subscribe,send",
      "--origins",
      "https://app.example,http://localhost:3000",
      "--no-turn",
      ...dd,
    ]);
    expect(key).toMatchObject({
      channelPatterns: ["room-*", "lobby"],
      actions: ["subscribe", "send"],
      allowedOrigins: ["https://app.example", "http://localhost:3000"],
      autoInjectTurn: false,
    });
  });

  it("keys list --json shows every key, never a secret; --app filters", async () => {
    const sk = await runJson<KeyJson>(["keys", "create", "--type", "secret", ...dd]);
    const app = await runJson<{ id: string }>(["apps", "create", "--name", "other", ...dd]);
    const other = await runJson<KeyJson>(["keys", "create", "--type", "publishable", "--app", app.id, ...dd]);
    const listed = await run(["keys", "list", "--json", ...dd]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).not.toContain(sk.secret);
    expect(listed.stdout).not.toContain("sk_secret_");
    const keys = JSON.parse(listed.stdout) as KeyJson[];
    expect(keys.map((k) => k.id)).toEqual([sk.id, other.id]);
    for (const k of keys) expect(k).not.toHaveProperty("secret");
    expect(keys[0]).toMatchObject({ revoked: false, revokedAt: null });
    const filtered = await runJson<KeyJson[]>(["keys", "list", "--app", app.id, ...dd]);
    expect(filtered.map((k) => k.id)).toEqual([other.id]);
    const human = await run(["keys", "list", ...dd]);
    expect(human.stdout).toContain(sk.id);
    expect(human.stdout).not.toContain("sk_secret_");
  });

  it("keys revoke marks the key revoked, is idempotent, and rejects unknown ids with exit 1", async () => {
    const pk = await runJson<KeyJson>(["keys", "create", "--type", "publishable", ...dd]);
    const first = await run(["keys", "revoke", pk.id, ...dd]);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(pk.id);
    expect((await run(["keys", "revoke", pk.id, ...dd])).code).toBe(0);
    const [listed] = await runJson<KeyJson[]>(["keys", "list", ...dd]);
    expect(listed).toMatchObject({ id: pk.id, revoked: true, revokedAt: expect.any(Number) });
    const unknown = await run(["keys", "revoke", "pk_live_nope", ...dd]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim()).toBe("switchboard: key pk_live_nope not found");
  });

  it("keys update changes only what is given and refuses revoked keys; keys delete removes a key", async () => {
    const pk = await runJson<KeyJson>([
      "keys",
      "create",
      "--type",
      "publishable",
      "--origins",
      "https://a.example",
      ...dd,
    ]);
    const updated = await runJson<KeyJson>([
      "keys",
      "update",
      pk.id,
      "--channels",
      "room-*",
      "--actions",
      "subscribe,send",
      "--no-turn",
      ...dd,
    ]);
    expect(updated).toMatchObject({
      id: pk.id,
      channelPatterns: ["room-*"],
      actions: ["subscribe", "send"],
      allowedOrigins: ["https://a.example"],
      autoInjectTurn: false,
    });
    const opened = await runJson<KeyJson>(["keys", "update", pk.id, "--any-origin", "--turn", ...dd]);
    expect(opened).toMatchObject({ channelPatterns: ["room-*"], allowedOrigins: [], autoInjectTurn: true });
    expect((await run(["keys", "revoke", pk.id, ...dd])).code).toBe(0);
    const refused = await run(["keys", "update", pk.id, "--turn", ...dd]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/is revoked/);
    expect(await runJson(["keys", "delete", pk.id, ...dd])).toEqual({ id: pk.id, deleted: true });
    expect(await runJson(["keys", "list", ...dd])).toEqual([]);
    const again = await run(["keys", "delete", pk.id, ...dd]);
    expect(again.code).toBe(1);
    expect(again.stderr.trim()).toBe(`switchboard: key ${pk.id} not found`);
  });

  it("the readable summary of a secret key warns that the secret is shown once", async () => {
    const r = await run(["keys", "create", "--type", "secret", ...dd]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/secret:\s+sk_secret_/);
    expect(r.stdout).toMatch(/shown only this once/);
  });

  it.each([
    [["keys", "create", "--type", "foo"], 2, /--type.*foo.*publishable, secret/],
    [["keys", "create"], 2, /required option '--type <type>'/],
    [
      ["keys", "create", "--type", "publishable", "--actions", "subscribe,admin"],
      2,
      /Unknown action "admin"/,
    ],
    [
      ["keys", "create", "--type", "publishable", "--origins", "https://a.example/"],
      2,
      /not an exact origin/,
    ],
    [["keys", "create", "--type", "secret", "--origins", "https://a.example"], 2, /only to publishable keys/],
    [["keys", "create", "--type", "publishable", "--channels", "a,,b"], 2, /empty entries/],
    [["keys", "create", "--type", "publishable", "--app", "app_nope"], 1, /app app_nope not found/],
    [["keys", "list", "--app", "app_nope"], 1, /app app_nope not found/],
    [["keys", "revoke"], 2, /missing required argument 'id'/],
    [["keys", "update", "pk_live_nope", "--turn"], 1, /key pk_live_nope not found/],
    [["keys", "update", "pk_live_nope"], 2, /nothing to update/],
    [["keys", "update", "pk_live_nope", "--origins", "https://a.example", "--any-origin"], 2, /not both/],
    [["keys", "update", "pk_live_nope", "--actions", "admin"], 2, /Unknown action "admin"/],
    [["keys", "delete"], 2, /missing required argument 'id'/],
    [["keys", "create", "--type", "publishable", "--bogus"], 2, /unknown option '--bogus'/],
  ])("%j → exit %i with a one-line message", async (args, code, message) => {
    const r = await run([...args, ...dd]);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.stdout).toBe("");
  });

  it("stops at 50 live keys per app with exit 1", async () => {
    const app = await runJson<{ id: string }>(["apps", "create", "--name", "full", ...dd]);
    const { openSqliteStore } = await import("@switchboard/server");
    const { store } = await openSqliteStore({ dataDir: tmp.dataDir });
    for (let i = 0; i < 50; i++) await store.createKey({ type: "publishable", appId: app.id });
    await store.close();
    const r = await run(["keys", "create", "--type", "publishable", "--app", app.id, ...dd]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/already has 50 live keys/);
  });
});
