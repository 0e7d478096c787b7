/**
 * examples/video-call in real Chromium (fake camera, microphone and screen): three participants
 * see each other's named, decoding video; "Share screen" swaps the camera track without any
 * renegotiation; "Mute", "Camera" and "Leave" do what they say; a Switchboard restart shows
 * "Reconnecting…" and the call comes back on fresh peer connections. One browser, a context per participant, the example in-process on free ports.
 * Needs `npm run build` (the SDK's browser bundle) and Chromium.
 */
import type { Browser } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import { CHROMIUM, describeWithTools } from "../../../server/test/tools.js";
import { type CallPage, closeAll, joinCall, openCallPage, shownError, tiles } from "./call-page.js";
import { launchWebRtcChromium } from "./chromium.js";
import {
  changedSinceRemembered,
  negotiationSince,
  peerState,
  type RemoteVideo,
  rememberRemotes,
  remoteVideo,
  watchNegotiation,
} from "./page-peer.js";
import { startVideoCall, type VideoCallExample } from "./video-call.js";
import { waitUntil } from "./wait.js";

/** Generous for a loaded 2-core machine; loopback calls connect in well under a second. */
const WAIT_MS = 20_000;

/** `videos` when there are `count` remotes, all connected with decoded video frames. */
function allDecoding(videos: RemoteVideo[], count: number): RemoteVideo[] | undefined {
  const ok = videos.length === count && videos.every((v) => v.state === "connected" && v.framesDecoded > 0);
  return ok ? videos : undefined;
}

/** Waits until `call` shows a named tile with playing video for each of `others`, all decoding. */
async function seesEveryone(call: CallPage, others: string[]): Promise<RemoteVideo[]> {
  const expected = [...others].sort();
  await waitUntil(
    `${call.name} shows tiles for ${expected.join(", ")}`,
    async () => {
      const shown = await tiles(call.page);
      const names = shown.map((t) => t.name).sort();
      return JSON.stringify(names) === JSON.stringify(expected) && shown.every((t) => t.videoWidth > 0)
        ? shown
        : undefined;
    },
    WAIT_MS,
    () => tiles(call.page),
  );
  return waitUntil(
    `${call.name} decodes video from ${expected.length} remotes`,
    async () => allDecoding(await remoteVideo(call.page), expected.length),
    WAIT_MS,
    () => remoteVideo(call.page),
  );
}

/** The shape of the decoded picture: "4:3", "16:9", or its width×height. */
function aspect(video: RemoteVideo): string {
  const ratio = video.frameHeight > 0 ? video.frameWidth / video.frameHeight : 0;
  if (Math.abs(ratio - 4 / 3) < 0.02) return "4:3";
  if (Math.abs(ratio - 16 / 9) < 0.02) return "16:9";
  return `${video.frameWidth}×${video.frameHeight}`;
}

/** framesDecoded per remote id. */
const framesOf = (videos: RemoteVideo[]) => new Map(videos.map((v) => [v.id, v.framesDecoded]));

/** Waits until every remote of `call` has decoded `more` frames beyond `since`. */
function keepsDecoding(call: CallPage, since: RemoteVideo[], more: number): Promise<RemoteVideo[]> {
  const before = framesOf(since);
  return waitUntil(
    `${call.name} keeps decoding (${more} more frames)`,
    async () => {
      const now = await remoteVideo(call.page);
      const ok =
        now.length === since.length && now.every((v) => v.framesDecoded >= (before.get(v.id) ?? 0) + more);
      return ok ? now : undefined;
    },
    WAIT_MS,
    () => remoteVideo(call.page),
  );
}

describeWithTools(CHROMIUM)("video-call example in Chromium", () => {
  let browser: Browser;
  let example: VideoCallExample;
  const calls: CallPage[] = [];
  let roomCounter = 0;
  const room = () => `room-${++roomCounter}`;

  /** Opens one page per name and joins them all to one room, in parallel like real people. */
  async function joinAll(names: string[]): Promise<CallPage[]> {
    const opened = await Promise.all(names.map((name) => openCallPage(browser, example.url, name)));
    calls.push(...opened);
    const shared = room();
    await Promise.all(opened.map((call) => joinCall(call, shared)));
    return opened;
  }

  beforeAll(async () => {
    browser = await launchWebRtcChromium();
  }, 60_000);

  beforeEach(async () => {
    example = await startVideoCall();
  });

  afterEach(async () => {
    // What the page showed in its error line counts as much as what it logged.
    for (const call of calls) {
      const alert = await shownError(call);
      if (alert !== undefined) call.errors.push(`shown: ${alert}`);
    }
    const errors = calls.flatMap((c) => c.errors.map((e) => `${c.name}: ${e}`));
    await closeAll(calls);
    await example?.stop();
    expect(errors, "errors in the pages").toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
  });

  it("three participants each see two named tiles with decoding video", async () => {
    const names = ["Alice", "Bob", "Carol"];
    const joined = await joinAll(names);
    const seen = await Promise.all(
      joined.map((call) =>
        seesEveryone(
          call,
          names.filter((n) => n !== call.name),
        ),
      ),
    );
    for (const [i, videos] of seen.entries()) {
      expect(videos.map((v) => v.name).sort()).toEqual(names.filter((n) => n !== names[i]));
    }
    // The tiles are the remotes the Peer knows, one each.
    for (const call of joined) {
      const ids = (await tiles(call.page)).map((t) => t.peerId).sort();
      expect(ids).toEqual((await remoteVideo(call.page)).map((v) => v.id).sort());
      expect(await peerState(call.page)).toBe("joined");
    }
  }, 60_000);

  it('"Mute" and "Camera" switch the local tracks; "Leave" removes the tile at the others', async () => {
    const [alice, bob] = await joinAll(["Alice", "Bob"]);
    if (!alice || !bob) throw new Error("two pages expected");
    await seesEveryone(bob, ["Alice"]);
    const localTracks = () =>
      alice.page.evaluate(() => {
        const doc = (globalThis as unknown as { document: { getElementById(id: string): unknown } }).document;
        const video = doc.getElementById("local-video") as {
          srcObject: { getTracks(): Array<{ kind: string; enabled: boolean }> };
        };
        return Object.fromEntries(video.srcObject.getTracks().map((t) => [t.kind, t.enabled]));
      });
    expect(await localTracks()).toEqual({ audio: true, video: true });
    await alice.page.getByRole("button", { name: "Mute" }).click();
    await alice.page.getByRole("button", { name: "Camera" }).click();
    expect(await localTracks()).toEqual({ audio: false, video: false });
    await alice.page.getByRole("button", { name: "Mute" }).click();
    await alice.page.getByRole("button", { name: "Camera" }).click();
    expect(await localTracks()).toEqual({ audio: true, video: true });

    await alice.page.getByRole("button", { name: "Leave" }).click();
    await alice.page.getByRole("button", { name: "Join" }).waitFor({ state: "visible", timeout: WAIT_MS });
    await waitUntil(
      "Bob's tile for Alice goes away",
      async () => ((await tiles(bob.page)).length === 0 ? true : undefined),
      WAIT_MS,
      () => tiles(bob.page),
    );
  }, 60_000);

  it('"Share screen" swaps the camera for the screen with no renegotiation, video still decoding', async () => {
    const [alice, bob] = await joinAll(["Alice", "Bob"]);
    if (!alice || !bob) throw new Error("two pages expected");
    await seesEveryone(alice, ["Bob"]);
    const before = await seesEveryone(bob, ["Alice"]);
    // The fake camera is 4:3 (640×480), the fake screen 16:9 (1280×720); under load the encoder
    // scales the picture down, but never changes its shape.
    expect(before.map(aspect)).toEqual(["4:3"]);
    await watchNegotiation(alice.page);
    await watchNegotiation(bob.page);

    await alice.page.getByRole("button", { name: "Share screen" }).click();
    await waitUntil(
      "Share screen is pressed",
      async () =>
        (await alice.page.getByRole("button", { name: "Share screen" }).getAttribute("aria-pressed")) ===
          "true" || undefined,
      WAIT_MS,
    );
    // Bob now decodes the screen.
    const screen = await waitUntil(
      "Bob decodes the 16:9 screen",
      async () => {
        const videos = await remoteVideo(bob.page);
        return videos.map(aspect).join() === "16:9" ? videos : undefined;
      },
      WAIT_MS,
      () => remoteVideo(bob.page),
    );
    // A second of video later, still nothing has been renegotiated on either side.
    await keepsDecoding(bob, screen, 20);
    for (const call of [alice, bob]) {
      expect(await negotiationSince(call.page), `${call.name}'s connections`).toEqual({
        events: [],
        replacedPcs: [],
      });
    }
    expect(alice.errors).toEqual([]);
  }, 60_000);

  it("a Switchboard restart shows Reconnecting…, then video decodes again on fresh connections", async () => {
    const joined = await joinAll(["Alice", "Bob"]);
    const [alice, bob] = joined;
    if (!alice || !bob) throw new Error("two pages expected");
    await seesEveryone(alice, ["Bob"]);
    await seesEveryone(bob, ["Alice"]);
    const peerIds = await Promise.all(joined.map(async (c) => (await tiles(c.page)).map((t) => t.peerId)));
    for (const call of joined) await rememberRemotes(call.page);

    await example.stopSwitchboard();
    for (const call of joined) {
      await call.page.getByText("Reconnecting…").waitFor({ state: "visible", timeout: WAIT_MS });
      expect(await peerState(call.page)).toBe("reconnecting");
    }

    await example.startSwitchboard();
    for (const [i, call] of joined.entries()) {
      await call.page.getByText("Reconnecting…").waitFor({ state: "hidden", timeout: WAIT_MS });
      const remotes = await waitUntil(
        `${call.name} decodes again on a fresh peer connection`,
        async () => {
          const { newPcs } = await changedSinceRemembered(call.page);
          const videos = allDecoding(await remoteVideo(call.page), 1);
          return videos && newPcs.length === 1 ? videos : undefined;
        },
        WAIT_MS,
        () => remoteVideo(call.page),
      );
      // The RemotePeer is kept (sdk.md, "Recovery"); only its connection is new.
      expect((await changedSinceRemembered(call.page)).newRemotes).toEqual([]);
      // framesDecoded counts frames of the new connection only, and it keeps growing.
      await keepsDecoding(call, remotes, 10);
      expect(await peerState(call.page)).toBe("joined");
      // The same people, in the same tiles: peer ids survive the reconnect.
      expect((await tiles(call.page)).map((t) => t.peerId)).toEqual(peerIds[i]);
    }
    // While Switchboard was down, Chromium logged each refused WebSocket attempt itself.
    for (const call of joined) {
      const rest = call.errors.filter((e) => !/WebSocket connection to .* failed/.test(e));
      call.errors.splice(0, call.errors.length, ...rest);
    }
  }, 60_000);
});
