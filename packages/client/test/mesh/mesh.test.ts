/**
 * The WebRTC mesh in Node against a real server: `Peer`s on @roamhq/wrtc discover each other
 * through presence, negotiate over `send` envelopes, and talk over the negotiated data channels.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ALL_ACTIONS, startServer, type TestServer } from "../../../server/test/helpers.js";
import { type PeerDataEvent, PeerJoinError } from "../../src/index.js";
import { sdkUrl } from "../integration/helpers.js";
import { describeMesh, fullyConnected, Mesh, remoteOf, until } from "./helpers.js";

const WAIT_MS = 20_000;
let ts: TestServer;
let pk: string;
const mesh = new Mesh();

beforeAll(async () => {
  ts = await startServer();
  pk = await ts.createPk({ actions: ALL_ACTIONS });
});
afterEach(() => mesh.closeAll());
afterAll(() => ts?.stop());

describe("Peer mesh (Node, @roamhq/wrtc)", () => {
  it("three peers connect pairwise and exchange data over the negotiated channels", async () => {
    const peers = [0, 1, 2].map(() => mesh.peer({ url: sdkUrl(ts.port), apiKey: pk }));
    const received = peers.map(() => [] as PeerDataEvent[]);
    peers.forEach((p, i) => p.on("data", (ev) => received[i]?.push(ev)));
    for (const p of peers) await p.join("room-mesh");
    await until(() => fullyConnected(peers), WAIT_MS, () => describeMesh(peers));

    for (const p of peers) {
      for (const r of p.remotePeers) await r.send({ hello: r.id, from: p.peerId });
    }
    await until(() => received.every((r) => r.length === 2), WAIT_MS, "two data-channel messages per peer");
    peers.forEach((p, i) => {
      const senders = received[i]?.map((e) => e.senderPeerId).sort();
      expect(senders).toEqual(peers.filter((q) => q !== p).map((q) => q.peerId).sort());
      for (const e of received[i] ?? []) {
        expect(e).toMatchObject({ kind: "direct", via: "data-channel", data: { hello: p.peerId } });
      }
    });
    // Signalling envelopes never surfaced as data.
    expect(received.flat().every((e) => e.via === "data-channel")).toBe(true);
  });

  it("a peer that leaves is removed everywhere; its instance can join again", async () => {
    const peers = [0, 1, 2].map(() => mesh.peer({ url: sdkUrl(ts.port), apiKey: pk }));
    for (const p of peers) await p.join("room-leave");
    await until(() => fullyConnected(peers), WAIT_MS, () => describeMesh(peers));
    const [a, b, c] = peers as [typeof peers[0], typeof peers[0], typeof peers[0]];
    const leaving = c.peerId;
    const left = [a, b].map((p) => new Promise((resolve) => p.on("peer-left", ({ peer }) => peer.id === leaving && resolve(peer))));
    const removed = remoteOf(a, leaving);
    await c.leave();
    expect(c.state).toBe("idle");
    expect([...c.remotePeers]).toEqual([]);
    await Promise.all(left);
    expect(removed.state).toBe("closed");
    expect(removed.pc).toBeNull();
    expect([...a.remotePeers].map((r) => r.id)).toEqual([b.peerId]);
    expect([...b.remotePeers].map((r) => r.id)).toEqual([a.peerId]);

    await c.join("room-leave");
    await until(() => fullyConnected(peers), WAIT_MS, () => describeMesh(peers));
  });

  it("join() fails with a message naming `send` when the key lacks it", async () => {
    const noSend = await ts.createPk({ actions: ["subscribe", "publish", "presence"] });
    const p = mesh.peer({ url: sdkUrl(ts.port), apiKey: noSend });
    const error = await p.join("room-nosend").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PeerJoinError);
    expect(error).toMatchObject({ code: "send_not_permitted" });
    expect((error as Error).message).toContain("`send`");
    expect(p.state).toBe("idle");
  });
});
