/**
 * The browser bundle in a real browser (issue 4, "Done means"): Debian Chromium through
 * playwright-core loads `packages/client/dist/browser.js` from a page served on 127.0.0.1, connects
 * to a real server with a publishable key (any origin, and one restricted to the page's origin),
 * subscribes, and exchanges channel messages and direct sends both ways with a Node client.
 * Needs `npm run build` (the bundle) and `/usr/bin/chromium` (`apt-get install -y chromium`).
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { ALL_ACTIONS, peer, signToken, startServer, type TestServer } from "../../../server/test/helpers.js";
import { CHROMIUM, describeWithTools } from "../../../server/test/tools.js";
import { Harness, sdkUrl, sleep, type TestClient } from "../integration/helpers.js";
import { CHROMIUM_ARGS } from "./chromium.js";
import { type Statics, serveStatics } from "./statics.js";

const BUNDLE = fileURLToPath(new URL("../../dist/browser.js", import.meta.url));
const PAGE = fileURLToPath(new URL("./page.html", import.meta.url));

/** An event recorded by the page (see page.html). */
interface PageEvent {
  client: string;
  name: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read event fields freely; sdk.md is what is tested.
  ctx: any;
}
// biome-ignore lint/suspicious/noExplicitAny: page.html's results are plain JSON of several shapes.
type PageResult = { ok: boolean; peerId?: string; state?: string; error?: any };
interface PageApi {
  events: PageEvent[];
  create(name: string, options: Record<string, unknown>): boolean;
  connect(name: string): Promise<PageResult>;
  call(name: string, method: string, ...args: unknown[]): Promise<PageResult>;
  state(name: string): string;
  closeAll(): Promise<void>;
}
// What page.html puts on `window` (the test tsconfig has no DOM lib, so declared here).
declare global {
  var sbPage: PageApi;
  var sbPageReady: boolean | undefined;
}

let ts: TestServer;
/** The test page at `/` and the bundle at `/browser.js`, nothing else. */
let statics: Statics;
let origin: string;
let context: BrowserContext;
let userDataDir: string;
const h = new Harness();
const pages: Page[] = [];

/** Opens the test page and waits for the bundle to load; page errors fail the test at the end. */
async function openPage(): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  pages.push(page);
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(String(err)));
  page.on("console", (msg) => {
    if (msg.type() === "error") errors.push(`console: ${msg.text()}`);
  });
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => globalThis.sbPageReady === true, undefined, { timeout: 15_000 });
  expect(
    await page.evaluate(() => (globalThis as unknown as { location: { origin: string } }).location.origin),
  ).toBe(origin);
  return { page, errors };
}

/** Waits for an event recorded by the page. */
async function pageEvent(
  page: Page,
  client: string,
  name: string,
  match: (ctx: PageEvent["ctx"]) => boolean = () => true,
  timeoutMs = 10_000,
): Promise<PageEvent> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const events = await page.evaluate(() => globalThis.sbPage.events);
    const found = events.find((e) => e.client === client && e.name === name && match(e.ctx));
    if (found) return found;
    if (Date.now() > deadline) {
      throw new Error(
        `no "${name}" event from page client ${client} within ${timeoutMs} ms; saw: ${events
          .map((e) => `${e.client}:${e.name}`)
          .join(", ")}`,
      );
    }
    await sleep(50);
  }
}

/** A Node client with a token (fixed peerId, all actions) on the same server. */
async function nodeClient(): Promise<TestClient & { peerId: string }> {
  const sub = peer("node");
  const t = h.client({ url: sdkUrl(ts.port), tokenProvider: () => signToken(ts.sk, { sub }) });
  await t.client.connect();
  return { ...t, peerId: sub };
}

/** Connects page client `name` with `apiKey`, subscribes to `channel`, and waits for its snapshot. */
async function pageJoin(page: Page, name: string, apiKey: string, channel: string): Promise<string> {
  const url = sdkUrl(ts.port);
  await page.evaluate(({ name, url, apiKey }) => globalThis.sbPage.create(name, { url, apiKey }), {
    name,
    url,
    apiKey,
  });
  const connected = await page.evaluate((name) => globalThis.sbPage.connect(name), name);
  expect(connected, JSON.stringify(connected)).toMatchObject({ ok: true, state: "connected" });
  const peerId = connected.peerId as string;
  expect(peerId).toMatch(/^[0-9a-f-]{36}$/);
  const welcome = await pageEvent(page, name, "connected");
  expect(welcome.ctx).toMatchObject({ peerId, isReconnect: false, expiresAt: null });
  expect(
    await page.evaluate(({ name, channel }) => globalThis.sbPage.call(name, "subscribe", channel), {
      name,
      channel,
    }),
  ).toEqual({ ok: true });
  await pageEvent(page, name, "presence", (p) => p.channel === channel);
  return peerId;
}

/** Messages and direct sends, both ways, between page client `name` and a Node client. */
async function exchange(
  page: Page,
  name: string,
  browserPeerId: string,
  node: TestClient & { peerId: string },
  channel: string,
) {
  // The Node client joins: the browser sees it arrive.
  await node.client.subscribe(channel);
  await pageEvent(page, name, "presence", (p) =>
    p.joined.some((j: { peerId: string }) => j.peerId === node.peerId),
  );

  // Node → browser, on the channel.
  await node.client.publish(channel, { hello: "browser", n: 1 });
  const inBrowser = await pageEvent(page, name, "message", (m) => m.data?.hello === "browser");
  expect(inBrowser.ctx).toMatchObject({ channel, from: node.peerId, data: { hello: "browser", n: 1 } });

  // Browser → Node, on the channel.
  const mark = node.log.events.length - 1;
  expect(
    await page.evaluate(
      ({ name, channel }) => globalThis.sbPage.call(name, "publish", channel, { hello: "node" }),
      {
        name,
        channel,
      },
    ),
  ).toEqual({ ok: true });
  const inNode = await node.log.waitFor("message", { after: mark });
  expect(inNode.ctx).toMatchObject({ channel, from: browserPeerId, data: { hello: "node" } });

  // Node → browser, direct.
  await node.client.send(browserPeerId, { direct: "to browser" });
  const directInBrowser = await pageEvent(page, name, "direct", (d) => d.data?.direct === "to browser");
  expect(directInBrowser.ctx).toMatchObject({ from: node.peerId, data: { direct: "to browser" } });

  // Browser → Node, direct.
  const mark2 = node.log.events.length - 1;
  expect(
    await page.evaluate(({ name, to }) => globalThis.sbPage.call(name, "send", to, ["to", "node"]), {
      name,
      to: node.peerId,
    }),
  ).toEqual({ ok: true });
  const directInNode = await node.log.waitFor("direct", { after: mark2 });
  expect(directInNode.ctx).toMatchObject({ from: browserPeerId, data: ["to", "node"] });
}

describeWithTools(CHROMIUM)("browser bundle in Chromium", () => {
  beforeAll(async () => {
    if (!existsSync(BUNDLE)) throw new Error(`no browser bundle at ${BUNDLE}: run \`npm run build\` first`);
    ts = await startServer();
    statics = await serveStatics({ "/": PAGE, "/browser.js": BUNDLE });
    origin = statics.origin;
    userDataDir = await mkdtemp(join(tmpdir(), "switchboard-chromium-"));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM.command,
      args: CHROMIUM_ARGS,
      headless: true,
    });
  }, 60_000);

  afterEach(async () => {
    // The bundle must be self-contained: a request for anything else is a test failure.
    const missing = statics.takeNotFound();
    for (const page of pages.splice(0)) {
      await page.evaluate(() => globalThis.sbPage?.closeAll()).catch(() => {});
      await page.close().catch(() => {});
    }
    await h.cleanup();
    expect(missing, "requests the static server could not answer").toEqual([]);
  });

  afterAll(async () => {
    await context?.close().catch(() => {});
    if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
    await statics?.close();
    await ts?.stop();
  }, 30_000);

  it("a key for any origin: subscribes, messages and direct sends both ways with a Node client", async () => {
    const { page, errors } = await openPage();
    const pk = await ts.createPk({ actions: ALL_ACTIONS });
    const peerId = await pageJoin(page, "any", pk, "chat");
    const node = await nodeClient();
    await exchange(page, "any", peerId, node, "chat");
    expect(await page.evaluate(() => globalThis.sbPage.state("any"))).toBe("connected");
    expect(node.log.all("error")).toEqual([]);
    expect(errors).toEqual([]);
  }, 40_000);

  it("a key restricted to the page's origin connects; one for another origin is refused with 4001", async () => {
    const { page, errors } = await openPage();
    const allowed = await ts.createPk({ actions: ALL_ACTIONS, allowedOrigins: [origin] });
    const peerId = await pageJoin(page, "mine", allowed, "origin-room");
    const node = await nodeClient();
    await exchange(page, "mine", peerId, node, "origin-room");

    const elsewhere = await ts.createPk({
      actions: ALL_ACTIONS,
      allowedOrigins: ["https://elsewhere.example"],
    });
    await page.evaluate(({ url, apiKey }) => globalThis.sbPage.create("other", { url, apiKey }), {
      url: sdkUrl(ts.port),
      apiKey: elsewhere,
    });
    const refused = await page.evaluate(() => globalThis.sbPage.connect("other"));
    expect(refused.ok).toBe(false);
    expect(refused.error).toMatchObject({ isSignallingConnectError: true, closeCode: 4001 });
    expect(refused.state).toBe("closed");
    // The refused client did not disturb the allowed one.
    expect(await page.evaluate(() => globalThis.sbPage.state("mine"))).toBe("connected");
    // A browser logs a failed WebSocket to the console by itself; anything else is unexpected.
    expect(errors.filter((e) => !/WebSocket/i.test(e))).toEqual([]);
  }, 40_000);
});
