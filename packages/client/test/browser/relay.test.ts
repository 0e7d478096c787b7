/**
 * A relay-only call through a real coturn: the example's Switchboard runs with coturn's shared
 * secret, so every `welcome` carries TURN credentials (secret-key JWTs get them injected); the
 * page (`?relay=1`) builds its connections with `iceTransportPolicy: "relay"` from exactly those
 * servers. The call must come up with video decoding over a relayed candidate pair.
 * Needs `npm run build` (the SDK's browser bundle), Chromium and coturn.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Coturn, startCoturn } from "../../../server/test/coturn.js";
import { CHROMIUM, COTURN, describeWithTools } from "../../../server/test/tools.js";
import { type CallPage, closeAll, joinCall, openCallPage } from "./call-page.js";
import { launchWebRtcChromium } from "./chromium.js";
import { remoteVideo, type SelectedPair, selectedPairs } from "./page-peer.js";
import { startVideoCall, type VideoCallExample } from "./video-call.js";
import { waitUntil } from "./wait.js";

const WAIT_MS = 20_000;
const SECRET = "video-call-relay-test-secret";

describeWithTools(CHROMIUM, COTURN)("video-call example through TURN only (coturn)", () => {
  let browser: Browser;
  let coturn: Coturn;
  let example: VideoCallExample;
  let turnUrl: string;
  const calls: CallPage[] = [];

  beforeAll(async () => {
    coturn = await startCoturn(SECRET);
    turnUrl = `turn:127.0.0.1:${coturn.port}?transport=udp`;
    example = await startVideoCall({ turnSecret: SECRET, turnUrls: [turnUrl] });
    browser = await launchWebRtcChromium();
  }, 60_000);

  afterAll(async () => {
    await closeAll(calls);
    await browser?.close();
    await example?.stop();
    await coturn?.stop();
  });

  it("two participants connect over a relay candidate pair and decode each other's video", async () => {
    for (const name of ["Alice", "Bob"])
      calls.push(await openCallPage(browser, example.url, name, "?relay=1"));
    await Promise.all(calls.map((call) => joinCall(call, "relay-room")));

    for (const call of calls) {
      await waitUntil(
        `${call.name} decodes relayed video`,
        async () => {
          const [video] = await remoteVideo(call.page);
          return video?.state === "connected" && video.framesDecoded > 0 ? video : undefined;
        },
        WAIT_MS,
        async () => ({ video: await remoteVideo(call.page), coturn: coturn.log().slice(-2000) }),
      );
      const pairs = await waitUntil(
        `${call.name} has a selected candidate pair`,
        async () => {
          const found = await selectedPairs(call.page);
          return found.length === 1 && found.every((p) => p.pairState === "succeeded") ? found : undefined;
        },
        WAIT_MS,
        () => selectedPairs(call.page),
      );
      expect(pairs).toEqual([
        expect.objectContaining<Partial<SelectedPair>>({
          iceTransportPolicy: "relay",
          // The welcome's TURN server reached the connection through rtcPeerConnectionFactory.
          iceServerUrls: expect.arrayContaining([turnUrl]),
        }),
      ]);
      const [pair] = pairs;
      expect([pair?.localType, pair?.remoteType], `${call.name}'s selected pair`).toContain("relay");
    }
    expect(calls.flatMap((c) => c.errors)).toEqual([]);
  }, 60_000);
});
