import { describe, expect, it } from "vitest";
import { describePresenceRegistry } from "./presence-conformance.js";
import {
  clearMemoryPresenceState,
  createMemoryPresence,
  createMemoryPresenceState,
} from "./presence-memory.js";
import type { PresenceRegistry } from "./presence-registry.js";

describePresenceRegistry("memory", async () => {
  let now = 1_000_000;
  const state = createMemoryPresenceState({ now: () => now });
  const ttlMs = 1_000;
  const made: PresenceRegistry[] = [];
  return {
    ttlMs,
    async instances(n) {
      const registries = Array.from({ length: n }, (_, i) =>
        createMemoryPresence({ state, nodeId: `node-${made.length + i}`, ttlMs }),
      );
      for (const registry of registries) made.push(registry);
      return registries;
    },
    advance(ms) {
      now += ms;
    },
    async loseState() {
      clearMemoryPresenceState(state);
    },
    async cleanup() {
      await Promise.all(made.map((registry) => registry.dispose()));
    },
  };
});

describe("memory presence", () => {
  it("runs alone without heartbeats (single-node mode): nothing ever expires", async () => {
    let now = 0;
    const registry = createMemoryPresence({
      state: createMemoryPresenceState({ now: () => now }),
      ttlMs: 10,
    });
    const socket = { node: registry.nodeId, id: 1 };
    expect(await registry.join("app_x", "room", "p", socket, undefined)).toEqual({ first: true });
    now += 1_000_000;
    expect(await registry.sweep()).toEqual([]);
    expect(await registry.members("app_x", "room")).toEqual([{ peerId: "p" }]);
  });

  it("rejects every call after dispose", async () => {
    const registry = createMemoryPresence();
    await registry.dispose();
    await expect(registry.members("app_x", "room")).rejects.toThrow(/disposed/);
  });
});
