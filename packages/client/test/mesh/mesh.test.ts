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
    peers.forEach((p, i) => {
      p.on("data", (ev) => received[i]?.push(ev));
    });
    for (const p of peers) await p.join("room-mesh");
    await until(
      () => fullyConnected(peers),
      WAIT_MS,
      () => describeMesh(peers),
    );

    for (const p of peers) {
      for (const r of p.remotePeers) await r.send({ hello: r.id, from: p.peerId });
    }
    await until(() => received.every((r) => r.length === 2), WAIT_MS, "two data-channel messages per peer");
    peers.forEach((p, i) => {
      const senders = received[i]?.map((e) => e.senderPeerId).sort();
      expect(senders).toEqual(
        peers
          .filter((q) => q !== p)
          .map((q) => q.peerId)
          .sort(),
      );
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
    await until(
      () => fullyConnected(peers),
      WAIT_MS,
      () => describeMesh(peers),
    );
    const [a, b, c] = peers as [(typeof peers)[0], (typeof peers)[0], (typeof peers)[0]];
    const leaving = c.peerId;
    const left = [a, b].map(
      (p) => new Promise((resolve) => p.on("peer-left", ({ peer }) => peer.id === leaving && resolve(peer))),
    );
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
    await until(
      () => fullyConnected(peers),
      WAIT_MS,
      () => describeMesh(peers),
    );
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

describe("negotiation and media (Node, @roamhq/wrtc)", () => {
  it("forced glare: both sides offer at once, the polite one rolls back, both get each other's media", async () => {
    // After the first connection, hold every createOffer until both peers have made one.
    let armed = false;
    const waiting: (() => void)[] = [];
    const gate = {
      offer: async () => {
        if (!armed) return;
        await new Promise<void>((resolve) => {
          waiting.push(resolve);
          if (waiting.length === 2) for (const release of waiting.splice(0)) release();
        });
      },
    };
    const a = mesh.peer({ url: sdkUrl(ts.port), apiKey: pk }, gate);
    const b = mesh.peer({ url: sdkUrl(ts.port), apiKey: pk }, gate);
    await a.join("room-glare");
    await b.join("room-glare");
    await until(
      () => fullyConnected([a, b]),
      WAIT_MS,
      () => describeMesh([a, b]),
    );
    const seen = { a: [] as string[], b: [] as string[] };
    remoteOf(a, b.peerId).on("stream-added", ({ metadata }) => seen.a.push(String(metadata.who)));
    remoteOf(b, a.peerId).on("stream-added", ({ metadata }) => seen.b.push(String(metadata.who)));

    armed = true;
    a.addStream(mesh.stream(mesh.videoTrack()), { who: "a" });
    b.addStream(mesh.stream(mesh.videoTrack()), { who: "b" });
    await until(() => seen.a.length === 1 && seen.b.length === 1, WAIT_MS, "each side's stream at the other");
    armed = false;
    expect(seen).toEqual({ a: ["b"], b: ["a"] });
    const polite = remoteOf(a, b.peerId).polite ? a : b;
    const impolite = polite === a ? b : a;
    // The collision really happened, and only the polite side yielded.
    expect(polite.connections.at(-1)?.rollbacks).toBeGreaterThanOrEqual(1);
    expect(impolite.connections.at(-1)?.rollbacks).toBe(0);
    await until(
      () => [a, b].every((p) => p.connections.at(-1)?.pc.signalingState === "stable"),
      WAIT_MS,
      "both connections stable",
    );
    expect(fullyConnected([a, b])).toBe(true);
    // One connection per side throughout: glare never cost a reconnect.
    expect([a.connections.length, b.connections.length]).toEqual([1, 1]);
  });

  it("stream metadata arrives with the media; removeTrack renegotiates, replaceTrack does not", async () => {
    const a = mesh.peer({ url: sdkUrl(ts.port), apiKey: pk });
    const b = mesh.peer({ url: sdkUrl(ts.port), apiKey: pk });
    const camera = mesh.videoTrack();
    const stream = mesh.stream(camera);
    a.addStream(stream, { label: "camera" }); // before join: attached to every connection
    const events: string[] = [];
    b.on("peer-joined", ({ peer }) => {
      peer.on("stream-added", ({ stream: s, metadata }) => events.push(`added ${s.id} ${metadata.label}`));
      peer.on("track", ({ track, metadata }) => events.push(`track ${track.kind} ${metadata.label}`));
      peer.on("stream-removed", ({ stream: s }) => events.push(`removed ${s.id}`));
    });
    await a.join("room-tracks");
    await b.join("room-tracks");
    await until(
      () => events.length >= 2,
      WAIT_MS,
      () => `stream at b: ${events.join("; ")}`,
    );
    expect(events).toEqual([`added ${stream.id} camera`, "track video camera"]);
    await until(
      () => fullyConnected([a, b]),
      WAIT_MS,
      () => describeMesh([a, b]),
    );

    const conn = a.connections.at(-1);
    if (!conn) throw new Error("a has no connection");
    const offersBefore = conn.offers;
    const screen = mesh.videoTrack();
    await a.replaceTrack(camera, screen);
    const senders = (conn.pc as unknown as { getSenders(): { track: unknown }[] }).getSenders();
    expect(senders.map((s) => s.track)).toContain(screen);
    // Give a renegotiation every chance to start (it would within milliseconds), then check none did.
    await a.sendTo(b.peerId as string, { sync: 1 });
    await new Promise((r) => setTimeout(r, 300));
    expect(conn.offers).toBe(offersBefore);
    expect(conn.pc.signalingState).toBe("stable");

    a.removeTrack(screen);
    await until(
      () => events.includes(`removed ${stream.id}`),
      WAIT_MS,
      () => events.join("; "),
    );
    expect(conn.offers).toBe(offersBefore + 1);
    await until(() => conn.pc.signalingState === "stable", WAIT_MS, "renegotiation done");
    expect(a.connections.length).toBe(1);
  });
});

describe("Peer API (Node)", () => {
  it("send broadcasts and sendTo goes direct over the server; bad calls get typed errors", async () => {
    const a = mesh.peer({ url: sdkUrl(ts.port), apiKey: pk });
    const b = mesh.peer({ url: sdkUrl(ts.port), apiKey: pk });
    await expect(a.send({ x: 1 })).rejects.toMatchObject({ name: "PeerSendError", code: "not_joined" });
    await expect(a.join("_system/x")).rejects.toMatchObject({
      name: "PeerSendError",
      code: "reserved_channel",
    });
    expect(a.state).toBe("idle");
    const got: PeerDataEvent[] = [];
    b.on("data", (ev) => got.push(ev));
    await a.join("room-api");
    await b.join("room-api");
    await expect(a.join("room-api")).rejects.toMatchObject({
      name: "PeerStateError",
      code: "invalid_state",
      method: "join",
      currentState: "joined",
    });
    await expect(a.sendTo(b.peerId as string, { $sb: 1, kind: "bye" })).rejects.toMatchObject({
      code: "invalid_args",
    });
    await until(
      () => fullyConnected([a, b]),
      WAIT_MS,
      () => describeMesh([a, b]),
    );
    await a.send({ text: "to the room" });
    await a.sendTo(b.peerId as string, { text: "to b" });
    await until(() => got.length === 2, WAIT_MS, "two messages at b");
    expect(got).toEqual([
      { senderPeerId: a.peerId, data: { text: "to the room" }, kind: "broadcast", via: "server" },
      { senderPeerId: a.peerId, data: { text: "to b" }, kind: "direct", via: "server" },
    ]);
    expect(JSON.parse(JSON.stringify(remoteOf(a, b.peerId)))).toEqual({ id: b.peerId, state: "connected" });

    await a.close();
    expect(a.state).toBe("closed");
    expect(() => a.addStream(mesh.stream(mesh.videoTrack()))).toThrow(
      expect.objectContaining({ name: "PeerStateError" }),
    );
    await expect(a.join("room-api")).rejects.toMatchObject({ name: "PeerStateError" });
  });

  it("a kicked peer (4020) emits error and returns to idle; the others see it leave", async () => {
    const a = mesh.peer({ url: sdkUrl(ts.port), apiKey: pk });
    const b = mesh.peer({ url: sdkUrl(ts.port), apiKey: pk });
    await a.join("room-kick");
    await b.join("room-kick");
    await until(
      () => fullyConnected([a, b]),
      WAIT_MS,
      () => describeMesh([a, b]),
    );
    const errors: Error[] = [];
    b.on("error", ({ error }) => errors.push(error));
    const gone = new Promise((resolve) => a.on("peer-left", resolve));
    const res = await fetch(`${ts.httpUrl}/v1/peers/${encodeURIComponent(b.peerId as string)}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${ts.sk.id}:${ts.sk.secret}` },
    });
    expect(res.status).toBeLessThan(300);
    await until(
      () => b.state === "idle",
      WAIT_MS,
      () => `b is ${b.state}`,
    );
    expect(errors.map((e) => (e as { closeCode?: number }).closeCode)).toEqual([4020]);
    expect([...b.remotePeers]).toEqual([]);
    await gone;
    expect([...a.remotePeers]).toEqual([]);
  });

  it("publishable-key peers reconnecting get new peerIds: the others see left, then joined", async () => {
    const { killCli, prepareDataDir, restartCli, serveCli } = await import("../integration/helpers.js");
    const dir = await prepareDataDir();
    let served = await serveCli(dir.dataDir);
    try {
      const a = mesh.peer({ url: sdkUrl(served.port), apiKey: dir.pk, reconnect: { initialDelayMs: 200 } });
      const b = mesh.peer({ url: sdkUrl(served.port), apiKey: dir.pk, reconnect: { initialDelayMs: 200 } });
      await a.join("room-pk");
      await b.join("room-pk");
      await until(
        () => fullyConnected([a, b]),
        WAIT_MS,
        () => describeMesh([a, b]),
      );
      const oldB = b.peerId;
      const leftAtA: string[] = [];
      a.on("peer-left", ({ peer }) => leftAtA.push(peer.id));
      await killCli(served);
      served = await restartCli(dir.dataDir, served.port);
      await until(
        () => b.peerId !== oldB && fullyConnected([a, b]) && leftAtA.includes(oldB as string),
        WAIT_MS,
        () => `${describeMesh([a, b])}; left at a: ${leftAtA.join(",")}`,
      );
      expect([...a.remotePeers].map((r) => r.id)).toEqual([b.peerId]);
    } finally {
      await killCli(served);
      await dir.remove();
    }
  });
});
