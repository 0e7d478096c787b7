import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openSqliteStore } from "../store/sqlite.js";
import type { Store } from "../store/types.js";
import { createKeyDirectory } from "./keys.js";

describe("key directory", () => {
  let dir: string;
  let store: Store;
  let down: boolean;
  let reads: number;
  /** The store as the directory sees it: reads fail while `down` (a database outage). */
  let flaky: Store;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "switchboard-keys-"));
    ({ store } = await openSqliteStore({ dataDir: dir }));
    down = false;
    reads = 0;
    const guard =
      <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
      async (...args: A): Promise<R> => {
        reads += 1;
        if (down) throw new Error("connection refused");
        return fn(...args);
      };
    flaky = { ...store, getKey: guard(store.getKey), getSigningSecret: guard(store.getSigningSecret) };
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("caches live keys; after an invalidation it reads again", async () => {
    const app = await store.defaultApp();
    const { key } = await store.createKey({ appId: app.id, type: "secret" });
    const keys = createKeyDirectory(flaky);
    const first = await keys.lookup(key.id);
    expect(first?.hmacKey).toBeInstanceOf(Uint8Array);
    const afterFirst = reads;
    expect(await keys.lookup(key.id)).toBe(first);
    expect(reads).toBe(afterFirst);
    keys.invalidate();
    await keys.lookup(key.id);
    expect(reads).toBeGreaterThan(afterFirst);
  });

  it("serves a key it knew while the store is unreachable, and forgets it once the store says revoked", async () => {
    const app = await store.defaultApp();
    const { key } = await store.createKey({ appId: app.id, type: "publishable" });
    const keys = createKeyDirectory(flaky);
    const known = await keys.lookup(key.id);
    keys.invalidate();
    down = true;
    expect(await keys.lookup(key.id)).toBe(known);
    // A key it never saw cannot be vouched for.
    await expect(keys.lookup("pk_live_neverseen00000000000")).rejects.toThrow("connection refused");
    down = false;
    await store.revokeKey(key.id);
    keys.invalidate();
    expect(await keys.lookup(key.id)).toBeUndefined();
    down = true;
    await expect(keys.lookup(key.id)).rejects.toThrow("connection refused");
  });
});
