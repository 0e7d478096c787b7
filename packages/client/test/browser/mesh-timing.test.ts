/**
 * How long a mesh call takes to come up on loopback, in real Chromium with the fake camera: the
 * last participant calls `join()` in a room where the others are already connected, and its page
 * records when every remote goes `connected` and when the first video frame of every remote is
 * decoded. Median of {@link RUNS} runs for 2 and 3 participants, printed for docs/sdk.md. The
 * bounds asserted are loose on purpose (a shared 2-core machine); the figures are the output.
 * Needs `npm run build` (the SDK's browser bundle) and Chromium.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ALL_ACTIONS, startServer, type TestServer } from "../../../server/test/helpers.js";
import { CHROMIUM, describeWithTools } from "../../../server/test/tools.js";
import { sdkUrl } from "../integration/helpers.js";
import { launchWebRtcChromium } from "./chromium.js";
import { type Statics, serveStatics } from "./statics.js";
import { waitUntil } from "./wait.js";

const BUNDLE = fileURLToPath(new URL("../../dist/browser.js", import.meta.url));
const PAGE = fileURLToPath(new URL("./mesh-page.html", import.meta.url));
const RUNS = 5;
const WAIT_MS = 15_000;

/** Milliseconds after `join()` was called, as mesh-page.html records them. */
interface Marks {
  joinResolved?: number;
  /** Per remote id. */
  connected: Record<string, number>;
  firstFrame: Record<string, number>;
}

/** window.meshPage (the test tsconfig has no DOM lib, so declared here). */
interface MeshPage {
  join(options: { url: string; apiKey: string; channel: string }): Promise<string>;
  marks(): Marks | undefined;
  close(): Promise<void>;
}
/** The page's `window`; evaluated functions run in the page, so each one spells this out. */
type MeshWindow = { meshPage: MeshPage };

/** One run's figures, for the participant that joined last: the slowest of its remotes. */
interface Sample {
  joinResolved: number;
  connected: number;
  firstFrame: number;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
};

describeWithTools(CHROMIUM)("mesh call set-up time in Chromium (loopback)", () => {
  let ts: TestServer;
  let statics: Statics;
  let browser: Browser;
  let apiKey: string;
  const pages: Page[] = [];

  beforeAll(async () => {
    if (!existsSync(BUNDLE)) throw new Error(`no browser bundle at ${BUNDLE}: run \`npm run build\` first`);
    ts = await startServer();
    apiKey = await ts.createPk({ actions: ALL_ACTIONS });
    statics = await serveStatics({ "/": PAGE, "/browser.js": BUNDLE });
    browser = await launchWebRtcChromium();
    for (let i = 0; i < 3; i++) {
      const page = await (await browser.newContext()).newPage();
      await page.goto(`${statics.origin}/`);
      await page.waitForFunction(
        () => (globalThis as { meshPageReady?: boolean }).meshPageReady === true,
        undefined,
        {
          timeout: WAIT_MS,
        },
      );
      pages.push(page);
    }
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await statics?.close();
    await ts?.stop();
  });

  const join = (page: Page, channel: string) =>
    page.evaluate((options) => (globalThis as unknown as MeshWindow).meshPage.join(options), {
      url: sdkUrl(ts.port),
      apiKey,
      channel,
    });

  /** Waits until `page` is connected to, and decodes video from, `remotes` remotes. */
  const upWith = (page: Page, remotes: number) =>
    waitUntil(
      `connected to and decoding ${remotes} remotes`,
      async () => {
        const marks = await page.evaluate(() => (globalThis as unknown as MeshWindow).meshPage.marks());
        const ok =
          marks?.joinResolved !== undefined &&
          Object.keys(marks.connected).length === remotes &&
          Object.keys(marks.firstFrame).length === remotes;
        return ok ? marks : undefined;
      },
      WAIT_MS,
      () => page.evaluate(() => (globalThis as unknown as MeshWindow).meshPage.marks()),
    );

  /** `size` participants: all but one join and connect, then the last one joins, measured. */
  async function run(size: number, channel: string): Promise<Sample> {
    const members = pages.slice(0, size - 1);
    const last = pages[size - 1];
    if (!last) throw new Error(`only ${pages.length} pages`);
    for (const page of members) await join(page, channel);
    for (const page of members) await upWith(page, size - 2);
    await join(last, channel);
    const marks = await upWith(last, size - 1);
    await Promise.all(
      pages.map((page) => page.evaluate(() => (globalThis as unknown as MeshWindow).meshPage.close())),
    );
    return {
      joinResolved: marks.joinResolved ?? NaN,
      connected: Math.max(...Object.values(marks.connected)),
      firstFrame: Math.max(...Object.values(marks.firstFrame)),
    };
  }

  it(`join() → remote connected and → first decoded frame, 2 and 3 participants (median of ${RUNS})`, async () => {
    // Warm-up, not counted: the first call of a browser also pays for codec and media start-up.
    await run(2, "warm-up");
    const lines: string[] = [];
    for (const size of [2, 3]) {
      const samples: Sample[] = [];
      for (let i = 0; i < RUNS; i++) samples.push(await run(size, `timing-${size}-${i}`));
      const of = (pick: (s: Sample) => number) => samples.map((s) => Math.round(pick(s)));
      const connected = of((s) => s.connected);
      const firstFrame = of((s) => s.firstFrame);
      lines.push(
        `  ${size} participants: join() resolves ${median(of((s) => s.joinResolved))}, ` +
          `every remote connected ${median(connected)}, first frame from every remote ${median(firstFrame)} ` +
          `(runs: connected ${connected.join("/")}; first frame ${firstFrame.join("/")})`,
      );
      for (const s of samples) {
        expect(s.connected).toBeGreaterThan(0);
        expect(s.firstFrame).toBeGreaterThan(0);
      }
    }
    console.log(
      `mesh set-up on loopback, ms after the last joiner's join() (median of ${RUNS}):\n${lines.join("\n")}`,
    );
  }, 120_000);
});
