/**
 * Launching Debian's Chromium through playwright-core (never `npx playwright install`: its
 * downloads fail on these machines). Flags from the shared toolbox notes, "Headless Chromium".
 */
import { type Browser, chromium } from "playwright-core";
import { CHROMIUM } from "../../../server/test/tools.js";

/** Headless, no sandbox (root in CI), and nothing that phones home or updates itself. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * For WebRTC: fake camera, microphone and screen, granted without a prompt; host candidates on
 * loopback, and as plain IPs rather than mDNS names. A single `--disable-features` on purpose: a
 * second one would replace the first.
 */
export const WEBRTC_ARGS = [
  "--use-fake-device-for-media-stream",
  "--use-fake-ui-for-media-stream",
  "--allow-loopback-in-peer-connection",
  "--disable-features=WebRtcHideLocalIpsWithMdns,LocalNetworkAccessChecks",
];

/** One headless Chromium set up for WebRTC; give each participant a context of its own. */
export function launchWebRtcChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM.command,
    args: [...CHROMIUM_ARGS, ...WEBRTC_ARGS],
    headless: true,
  });
}
