import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { PresenceKey, PresenceRegistry } from "./presence-registry.js";
import type { SocketRef } from "./types.js";

/**
 * What a conformance factory returns: handles (nodes) on one fresh, empty backend, all on one clock
 * the suite moves, with the same `ttlMs`.
 */
export interface PresenceFixture {
  /** `n` new handles on the same backend, each a node with its own id (not yet heartbeating). */
  instances(n: number): Promise<PresenceRegistry[]>;
  /** The `ttlMs` every handle was created with. */
  readonly ttlMs: number;
  /** Moves the clock of every handle (and of the backend's expiry) forward by `ms`. */
  advance(ms: number): void;
  /** Makes the backend forget everything, as a restarted Redis does. */
  loseState(): Promise<void>;
  /** Disposes every handle and deletes the backend's data. */
  cleanup(): Promise<void>;
}

const A = "app_presence_a";
const B = "app_presence_b";

const socketOf = (node: PresenceRegistry, id: number): SocketRef => ({ node: node.nodeId, id });
const byPeer = <T extends { peerId: string }>(list: readonly T[]): T[] =>
  [...list].sort((x, y) => x.peerId.localeCompare(y.peerId));
const triples = (list: readonly PresenceKey[]): string[] =>
  list.map((k) => `${k.appId}|${k.channel}|${k.peerId}`).sort();

/**
 * The contract every {@link PresenceRegistry} implementation must pass (memory and Redis).
 * `factory` is called once per test.
 */
export function describePresenceRegistry(name: string, factory: () => Promise<PresenceFixture>): void {
  describe(`PresenceRegistry conformance: ${name}`, () => {
    let fx: PresenceFixture;
    beforeEach(async () => {
      fx = await factory();
    });
    afterEach(async () => {
      await fx.cleanup();
    });
    /** `n` heartbeating nodes. */
    const nodes = async (n: number): Promise<PresenceRegistry[]> => {
      const made = await fx.instances(n);
      for (const node of made) expect(await node.heartbeat()).toEqual({ resyncNeeded: false });
      return made;
    };

    it("answers first / last cluster-wide when one peer has sockets on two nodes", async () => {
      const [n1, n2] = (await nodes(2)) as [PresenceRegistry, PresenceRegistry];
      expect(await n1.join(A, "room", "p", socketOf(n1, 1), undefined)).toEqual({ first: true });
      expect(await n2.join(A, "room", "p", socketOf(n2, 1), undefined)).toEqual({ first: false });
      expect(await n1.join(A, "room", "p", socketOf(n1, 2), undefined)).toEqual({ first: false });
      // Repeating a join of the same socket is a no-op.
      expect(await n1.join(A, "room", "p", socketOf(n1, 1), undefined)).toEqual({ first: false });
      expect(await n1.leave(A, "room", "p", socketOf(n1, 1))).toEqual({ last: false });
      expect(await n1.leave(A, "room", "p", socketOf(n1, 1))).toEqual({ last: false });
      expect(await n2.leave(A, "room", "p", socketOf(n2, 1))).toEqual({ last: false });
      expect(await n1.leave(A, "room", "p", socketOf(n1, 2))).toEqual({ last: true });
      expect(await n1.members(A, "room")).toEqual([]);
      expect(await n2.join(A, "room", "p", socketOf(n2, 1), undefined)).toEqual({ first: true });
    });

    it("gives exactly one first and one last to concurrent joins and leaves from two nodes", async () => {
      const [n1, n2] = (await nodes(2)) as [PresenceRegistry, PresenceRegistry];
      for (let round = 0; round < 5; round++) {
        const joins = await Promise.all([
          n1.join(A, "race", "p", socketOf(n1, 1), undefined),
          n2.join(A, "race", "p", socketOf(n2, 1), undefined),
          n1.join(A, "race", "p", socketOf(n1, 2), undefined),
        ]);
        expect(joins.filter((j) => j.first)).toHaveLength(1);
        const leaves = await Promise.all([
          n1.leave(A, "race", "p", socketOf(n1, 1)),
          n2.leave(A, "race", "p", socketOf(n2, 1)),
          n1.close(A, "p", socketOf(n1, 2)).then((channels) => ({ last: channels.includes("race") })),
        ]);
        expect(leaves.filter((l) => l.last)).toHaveLength(1);
      }
    });

    it("lists a peer on two nodes once, with its first socket's metadata, kept until it leaves", async () => {
      const [n1, n2] = (await nodes(2)) as [PresenceRegistry, PresenceRegistry];
      await n1.join(A, "room", "p", socketOf(n1, 1), { name: "first", n: 1 });
      await n2.join(A, "room", "p", socketOf(n2, 1), { name: "second" });
      await n2.join(A, "room", "plain", socketOf(n2, 2), undefined);
      const expected = [{ peerId: "p", metadata: { name: "first", n: 1 } }, { peerId: "plain" }];
      expect(byPeer(await n2.members(A, "room"))).toEqual(expected);
      await n1.leave(A, "room", "p", socketOf(n1, 1));
      expect(byPeer(await n1.members(A, "room"))).toEqual(expected);
    });

    it("snapshots the members of one channel only", async () => {
      const [n1, n2] = (await nodes(2)) as [PresenceRegistry, PresenceRegistry];
      await n1.join(A, "room", "a", socketOf(n1, 1), { k: "a" });
      await n1.join(A, "room", "b", socketOf(n1, 2), undefined);
      await n2.join(A, "room", "c", socketOf(n2, 1), { nested: { deep: [1, "x", null, true] } });
      await n2.join(A, "other", "d", socketOf(n2, 2), undefined);
      await n2.join(A, "room:with:colons", "e:f", socketOf(n2, 3), undefined);
      expect(byPeer(await n2.members(A, "room"))).toEqual([
        { peerId: "a", metadata: { k: "a" } },
        { peerId: "b" },
        { peerId: "c", metadata: { nested: { deep: [1, "x", null, true] } } },
      ]);
      expect(await n1.members(A, "other")).toEqual([{ peerId: "d" }]);
      expect(await n1.members(A, "room:with:colons")).toEqual([{ peerId: "e:f" }]);
      expect(await n1.members(A, "room:with")).toEqual([]);
      expect(await n1.members(A, "nobody")).toEqual([]);
    });

    it("tells the nodes holding an open socket of a peer", async () => {
      const [n1, n2] = (await nodes(2)) as [PresenceRegistry, PresenceRegistry];
      await n1.open(A, "p", socketOf(n1, 1));
      await n1.open(A, "p", socketOf(n1, 2));
      await n1.open(A, "p", socketOf(n1, 2));
      await n2.open(A, "p", socketOf(n2, 7));
      expect([...(await n1.nodesOf(A, "p"))].sort()).toEqual([n1.nodeId, n2.nodeId].sort());
      await n1.close(A, "p", socketOf(n1, 1));
      expect([...(await n1.nodesOf(A, "p"))].sort()).toEqual([n1.nodeId, n2.nodeId].sort());
      await n1.close(A, "p", socketOf(n1, 2));
      expect(await n1.nodesOf(A, "p")).toEqual([n2.nodeId]);
      await n2.close(A, "p", socketOf(n2, 7));
      expect(await n2.nodesOf(A, "p")).toEqual([]);
      expect(await n2.nodesOf(A, "never")).toEqual([]);
    });

    it("close leaves every channel and returns those where it was the peer's last socket", async () => {
      const [n1, n2] = (await nodes(2)) as [PresenceRegistry, PresenceRegistry];
      const s = socketOf(n1, 1);
      await n1.open(A, "p", s);
      for (const channel of ["c1", "c2", "c3"]) await n1.join(A, channel, "p", s, undefined);
      await n2.join(A, "c2", "p", socketOf(n2, 1), undefined);
      expect([...(await n1.close(A, "p", s))].sort()).toEqual(["c1", "c3"]);
      expect(await n1.close(A, "p", s)).toEqual([]);
      expect(await n1.members(A, "c1")).toEqual([]);
      expect(await n1.members(A, "c2")).toEqual([{ peerId: "p" }]);
      expect(await n1.nodesOf(A, "p")).toEqual([]);
    });

    it("expires a node that stops heartbeating; concurrent sweeps return each departure exactly once", async () => {
      const [n1, n2, dead] = (await nodes(3)) as [PresenceRegistry, PresenceRegistry, PresenceRegistry];
      await dead.open(A, "x", socketOf(dead, 1));
      await dead.join(A, "c1", "x", socketOf(dead, 1), undefined);
      for (const channel of ["c1", "c2"]) await dead.join(A, channel, "y", socketOf(dead, 2), undefined);
      await dead.join(B, "c1", "x", socketOf(dead, 3), undefined);
      await dead.join(A, "c1", "z", socketOf(dead, 4), undefined);
      await n1.join(A, "c1", "z", socketOf(n1, 1), { on: "n1" });
      await n1.open(A, "x", socketOf(n1, 2));

      fx.advance(fx.ttlMs / 2);
      await Promise.all([n1.heartbeat(), n2.heartbeat()]);
      expect(await n1.sweep()).toEqual([]);
      fx.advance(fx.ttlMs / 2 + 1);
      const [one, two, three] = await Promise.all([n1.sweep(), n2.sweep(), n1.sweep()]);
      expect(triples([...(one ?? []), ...(two ?? []), ...(three ?? [])])).toEqual([
        `${A}|c1|x`,
        `${A}|c1|y`,
        `${A}|c2|y`,
        `${B}|c1|x`,
      ]);
      expect(await n2.sweep()).toEqual([]);
      // z stays (through n1), with the metadata of its first socket, the dead node's.
      expect(await n2.members(A, "c1")).toEqual([{ peerId: "z" }]);
      expect(await n2.nodesOf(A, "x")).toEqual([n1.nodeId]);
      // The live nodes were not expired; the dead one learns it was forgotten.
      expect(await n1.leave(A, "c1", "z", socketOf(n1, 1))).toEqual({ last: true });
      expect(await dead.heartbeat()).toEqual({ resyncNeeded: true });
      expect(await dead.heartbeat()).toEqual({ resyncNeeded: false });
    });

    it("resync after the backend lost its data restores every node's members", async () => {
      const [n1, n2] = (await nodes(2)) as [PresenceRegistry, PresenceRegistry];
      const s1 = socketOf(n1, 1);
      const s2 = socketOf(n2, 1);
      await n1.open(A, "p", s1);
      await n1.join(A, "room", "p", s1, { m: 1 });
      await n2.open(A, "q", s2);
      await n2.join(A, "room", "q", s2, undefined);
      await fx.loseState();
      expect(await n1.members(A, "room")).toEqual([]);
      expect(await n1.heartbeat()).toEqual({ resyncNeeded: true });
      expect(await n2.heartbeat()).toEqual({ resyncNeeded: true });

      const r1 = await n1.resync({
        connections: [{ appId: A, peerId: "p", socket: s1 }],
        joins: [{ appId: A, channel: "room", peerId: "p", socket: s1, metadata: { m: 1 } }],
      });
      expect(r1).toEqual({
        joined: [{ appId: A, channel: "room", peerId: "p", metadata: { m: 1 } }],
        left: [],
      });
      const r2 = await n2.resync({
        connections: [{ appId: A, peerId: "q", socket: s2 }],
        joins: [{ appId: A, channel: "room", peerId: "q", socket: s2, metadata: undefined }],
      });
      expect(r2).toEqual({
        joined: [{ appId: A, channel: "room", peerId: "q", metadata: undefined }],
        left: [],
      });
      expect(byPeer(await n1.members(A, "room"))).toEqual([
        { peerId: "p", metadata: { m: 1 } },
        { peerId: "q" },
      ]);
      expect(await n2.nodesOf(A, "p")).toEqual([n1.nodeId]);
      expect(await n1.heartbeat()).toEqual({ resyncNeeded: false });
      // The restored entries are ordinary ones: the last socket leaving is `last`.
      expect(await n1.close(A, "p", s1)).toEqual(["room"]);
    });

    it("resync removes ghosts, adds missing entries and reports only cluster-wide changes", async () => {
      const [n1, n2] = (await nodes(2)) as [PresenceRegistry, PresenceRegistry];
      // What the registry holds for n1 (stale): ghost g, shared peer s, kept peer k.
      await n1.join(A, "room", "g", socketOf(n1, 1), undefined);
      await n1.open(A, "g", socketOf(n1, 1));
      await n1.join(A, "room", "s", socketOf(n1, 2), undefined);
      await n1.join(A, "room", "k", socketOf(n1, 3), { v: "old" });
      await n2.join(A, "room", "s", socketOf(n2, 1), undefined);
      // What n1 really has: k (same socket), and a new peer m the registry missed.
      const result = await n1.resync({
        connections: [{ appId: A, peerId: "m", socket: socketOf(n1, 4) }],
        joins: [
          { appId: A, channel: "room", peerId: "k", socket: socketOf(n1, 3), metadata: { v: "old" } },
          { appId: A, channel: "room", peerId: "m", socket: socketOf(n1, 4), metadata: undefined },
        ],
      });
      expect(result).toEqual({
        joined: [{ appId: A, channel: "room", peerId: "m", metadata: undefined }],
        left: [{ appId: A, channel: "room", peerId: "g" }],
      });
      expect(byPeer(await n2.members(A, "room"))).toEqual([
        { peerId: "k", metadata: { v: "old" } },
        { peerId: "m" },
        { peerId: "s" },
      ]);
      expect(await n2.nodesOf(A, "g")).toEqual([]);
      expect(await n2.nodesOf(A, "m")).toEqual([n1.nodeId]);
      expect(await n2.leave(A, "room", "s", socketOf(n2, 1))).toEqual({ last: true });
      // A node leaving on purpose: resync to nothing, and announce what it returns.
      const gone = await n1.resync({ connections: [], joins: [] });
      expect(triples(gone.left)).toEqual([`${A}|room|k`, `${A}|room|m`]);
      expect(await n2.members(A, "room")).toEqual([]);
    });

    it("keeps apps apart: same channel and peerId in two apps", async () => {
      const [n1, n2] = (await nodes(2)) as [PresenceRegistry, PresenceRegistry];
      expect(await n1.join(A, "room", "p", socketOf(n1, 1), { app: "a" })).toEqual({ first: true });
      expect(await n2.join(B, "room", "p", socketOf(n2, 1), { app: "b" })).toEqual({ first: true });
      await n2.open(B, "p", socketOf(n2, 1));
      expect(await n1.members(A, "room")).toEqual([{ peerId: "p", metadata: { app: "a" } }]);
      expect(await n1.members(B, "room")).toEqual([{ peerId: "p", metadata: { app: "b" } }]);
      expect(await n1.nodesOf(A, "p")).toEqual([]);
      expect(await n1.nodesOf(B, "p")).toEqual([n2.nodeId]);
      expect(await n2.leave(B, "room", "p", socketOf(n2, 1))).toEqual({ last: true });
      expect(await n1.members(A, "room")).toEqual([{ peerId: "p", metadata: { app: "a" } }]);
    });

    it("rejects a socket of another node with a TypeError", async () => {
      const [n1, n2] = (await nodes(2)) as [PresenceRegistry, PresenceRegistry];
      await expect(n1.join(A, "room", "p", socketOf(n2, 1), undefined)).rejects.toThrow(TypeError);
      await expect(n1.open(A, "p", socketOf(n2, 1))).rejects.toThrow(TypeError);
      expect(await n1.members(A, "room")).toEqual([]);
    });
  });
}
