/**
 * A call survives its signalling server restarting: three `Peer`s (secret-key JWTs, so peerIds are
 * stable) are connected pairwise through a `switchboard serve` child process; the process is
 * killed and started again on the same port. Every pair reconnects through reconcile: the same
 * RemotePeer objects, `connection-reset`, a fresh RTCPeerConnection each, then `connected`.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Served } from "../../../cli/test/helpers.js";
import { signToken } from "../../../server/test/helpers.js";
import type { RemotePeer } from "../../src/index.js";
import { killCli, prepareDataDir, restartCli, sdkUrl, serveCli } from "../integration/helpers.js";
import { describeMesh, fullyConnected, Mesh, type MeshPeer, until } from "./helpers.js";

const WAIT_MS = 30_000;
const mesh = new Mesh();
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await mesh.closeAll();
  for (const fn of cleanups.splice(0).reverse()) await fn().catch(() => {});
});

describe("Peer across a server restart", () => {
  it("every pair reconnects through reconcile with the same RemotePeer objects", async () => {
    const dir = await prepareDataDir();
    cleanups.push(() => dir.remove());
    let served: Served = await serveCli(dir.dataDir);
    cleanups.push(() => killCli(served));
    const port = served.port;
    const peers: MeshPeer[] = ["ann", "bob", "cat"].map((name) =>
      mesh.peer({
        url: sdkUrl(port),
        tokenProvider: () => signToken(dir.sk, { sub: `${name}-restart`, peerMetadata: { name } }),
        reconnect: { initialDelayMs: 200, maxDelayMs: 1_000 },
      }),
    );
    for (const p of peers) await p.join("room-restart");
    await until(
      () => fullyConnected(peers),
      WAIT_MS,
      () => describeMesh(peers),
    );

    const before = new Map<RemotePeer, unknown>();
    const resets = new Map<RemotePeer, number>();
    for (const p of peers) {
      for (const r of p.remotePeers) {
        before.set(r, r.pc);
        resets.set(r, 0);
        r.on("connection-reset", () => resets.set(r, (resets.get(r) ?? 0) + 1));
      }
    }
    expect(before.size).toBe(6);
    const states: string[] = [];
    peers[0]?.on("state-change", ({ to }) => states.push(to));

    await killCli(served);
    served = await restartCli(dir.dataDir, port);

    await until(
      // A peer is `joined` again once its snapshot came, which the server may send up to 50 ms
      // after the ack (protocol.md §5): its pairs can be connected a little earlier.
      () =>
        [...resets.values()].every((n) => n >= 1) &&
        fullyConnected(peers) &&
        peers.every((p) => p.state === "joined"),
      WAIT_MS,
      () => `${describeMesh(peers)}; resets ${[...resets.values()].join(",")}`,
    );
    expect(states).toEqual(["reconnecting", "joined"]);
    for (const p of peers) {
      expect(p.state).toBe("joined");
      const remotes = [...p.remotePeers];
      expect(remotes).toHaveLength(2);
      for (const r of remotes) {
        expect(before.has(r), `${p.peerId} kept its RemotePeer for ${r.id}`).toBe(true);
        expect(r.pc).not.toBe(before.get(r));
        expect(r.state).toBe("connected");
      }
    }
    // And the fresh channels carry data.
    const got: string[] = [];
    peers[1]?.on("data", ({ data }) => got.push(String((data as { n: string }).n)));
    const toBob = [...(peers[0]?.remotePeers ?? [])].find((r) => r.id === peers[1]?.peerId);
    await toBob?.send({ n: "after-restart" });
    await until(() => got.includes("after-restart"), WAIT_MS, "data over the fresh channel");
  });
});
