/**
 * The dashboard in a real browser (issue 12, "Done means"): Debian Chromium through playwright-core
 * drives the built dashboard served by a real server at /dashboard/. Sign in (a wrong token first),
 * create a publishable key, watch an SDK client from Node appear in a channel's presence, kick it
 * (4020), revoke the key (4001), mint a token and connect with it, watch the Live chart move while a
 * client publishes, and join a channel in "Try it". Each view is screenshotted into docs/dashboard/.
 * Needs `npm run build` (the dashboard and the SDK) and `/usr/bin/chromium`.
 */
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { CHROMIUM_ARGS } from "../../client/test/browser/chromium.js";
import { Harness, sdkUrl, type TestClient } from "../../client/test/integration/helpers.js";
import { ADMIN_TOKEN, setAdminToken, startAdminServer } from "../../server/test/admin-helpers.js";
import { startCluster, type TestCluster } from "../../server/test/cluster-helpers.js";
import type { TestServer } from "../../server/test/helpers.js";
import { CHROMIUM, describeWithTools } from "../../server/test/tools.js";

const INDEX = fileURLToPath(new URL("../dist/index.html", import.meta.url));
const SHOTS = fileURLToPath(new URL("../../../docs/dashboard/", import.meta.url));
const UI_TIMEOUT = 10_000;

let ts: TestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const h = new Harness();
/** Every URL the page asked for: all must be this server's. */
const requested: string[] = [];
const pageErrors: string[] = [];

/** Polls `check` until it returns a value other than undefined/false; no fixed sleeps. */
async function until<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  timeoutMs = UI_TIMEOUT,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: `${SHOTS}${name}.png`, fullPage: true, animations: "disabled" });
}

async function view(name: "Apps" | "Keys" | "Live" | "Tokens" | "Try it"): Promise<void> {
  await page.getByRole("navigation", { name: "Views" }).getByRole("link", { name, exact: true }).click();
  await page.getByRole("heading", { level: 1, name, exact: true }).waitFor({ timeout: UI_TIMEOUT });
}

/** A Node SDK client with the publishable key `apiKey`, connected and subscribed to `channel`. */
async function keyClient(apiKey: string, channel: string): Promise<TestClient> {
  const t = h.client({ url: sdkUrl(ts.port), apiKey, reconnect: false });
  await t.client.connect();
  await t.client.subscribe(channel);
  return t;
}

describeWithTools(CHROMIUM)("dashboard in Chromium", () => {
  beforeAll(async () => {
    if (!existsSync(INDEX)) throw new Error(`no dashboard build at ${INDEX}: run \`npm run build\` first`);
    await mkdir(SHOTS, { recursive: true });
    ({ ts } = await startAdminServer());
    browser = await chromium.launch({
      executablePath: CHROMIUM.command,
      args: CHROMIUM_ARGS,
      headless: true,
    });
    context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    page = await context.newPage();
    page.setDefaultTimeout(UI_TIMEOUT);
    page.on("request", (r) => requested.push(r.url()));
    page.on("pageerror", (e) => pageErrors.push(String(e)));
  }, 60_000);

  afterAll(async () => {
    await h.cleanup();
    await context?.close().catch(() => {});
    await browser?.close().catch(() => {});
    await ts?.stop();
  });

  it("a wrong admin token gets a clear sign-in error; the right one signs in (never into the URL)", async () => {
    await page.goto(`${ts.httpUrl}/`);
    expect(new URL(page.url()).pathname).toBe("/dashboard/");
    await page.getByLabel("Admin token").fill("not-the-admin-token");
    await page.getByRole("button", { name: "Sign in" }).click();
    const alert = page.getByRole("alert");
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/Sign-in failed: that admin token is not valid.*401/);
    await shot("sign-in-error");

    await page.getByLabel("Admin token").fill(ADMIN_TOKEN);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { level: 1, name: "Apps" }).waitFor();
    expect(page.url()).not.toContain(ADMIN_TOKEN);
  });

  it("Apps: creates an app and shows usage bars per limit", async () => {
    await page.getByLabel("App name").fill("Demo app");
    await page.getByRole("button", { name: "Create app" }).click();
    const card = page.getByRole("article", { name: "App Demo app" });
    await card.waitFor();
    // Plan limits through the UI: the bar then reads "0 of 100".
    await card.getByLabel("Max connections").fill("100");
    await card.getByRole("button", { name: "Save limits" }).click();
    await until("the connections limit", async () =>
      ((await page.getByRole("article", { name: "App Demo app" }).textContent()) ?? "").includes("0 of 100"),
    );
    expect(await page.getByRole("meter").count()).toBeGreaterThanOrEqual(4);
    // Suspend and resume.
    await card.getByRole("button", { name: "Suspend" }).click();
    await card.getByText("suspended", { exact: true }).waitFor();
    await card.getByRole("button", { name: "Resume" }).click();
    await card.getByText("active", { exact: true }).waitFor();
    await shot("apps");
  });

  let pk = "";
  it("Keys: creates a publishable key with patterns, a match tester and the send warning", async () => {
    await view("Keys");
    await page.getByLabel("Key type").selectOption("publishable");
    await page.getByLabel("Channel patterns").fill("room-*\nlobby");
    await page.getByLabel("Does this channel match?").fill("room-1");
    await page.getByText("Matches: room-*").waitFor();
    await page.getByLabel("Does this channel match?").fill("other/1");
    await page.getByText("No pattern matches this channel.").waitFor();
    const actions = page.getByRole("group", { name: "Actions" });
    await actions.getByLabel("send", { exact: true }).check();
    await page.getByText("send on a publishable key lets anyone").waitFor();
    await actions.getByLabel("send", { exact: true }).uncheck();
    await page.getByLabel("Allowed origins").fill("");
    await page.getByRole("button", { name: "Create key" }).click();
    const id = page.getByTestId("created-key-id");
    await id.waitFor();
    pk = (await id.textContent()) ?? "";
    expect(pk).toMatch(/^pk_/);
    const row = page.locator(`tr[data-key-id="${pk}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain("subscribe, publish, presence");
    await page.getByLabel("Does this channel match?").fill("room-42");
    await shot("keys");
  });

  it("Keys: a secret key's credential is shown once, with a copy button, and it signs tokens", async () => {
    await page.getByLabel("Key type").selectOption("secret");
    await page.getByRole("button", { name: "Create key" }).click();
    const credential = page.getByLabel("Secret key credential");
    await credential.waitFor();
    const value = await credential.inputValue();
    expect(value).toMatch(/^sk_id_[A-Za-z0-9]+:sk_secret_[A-Za-z0-9_-]+$/);
    await page.getByRole("button", { name: "Copy secret" }).waitFor();
    await page.getByText("This secret is shown once").waitFor();
    // The credential works against the REST API …
    const [id, secret] = value.split(":") as [string, string];
    const minted = await fetch(`${ts.httpUrl}/v1/tokens`, {
      method: "POST",
      headers: { authorization: `Bearer ${id}:${secret}`, "content-type": "application/json" },
      body: JSON.stringify({ peerId: "from-secret" }),
    });
    expect(minted.status).toBe(200);
    // … and is gone once the view is left: the list never shows a secret.
    await view("Apps");
    await view("Keys");
    await page.locator(`tr[data-key-id="${id}"]`).waitFor();
    expect(await page.getByLabel("Secret key credential").count()).toBe(0);
    expect(await page.content()).not.toContain(secret);
    await page.getByLabel("Key type").selectOption("publishable");
  });

  it("Live: an SDK client appears in the channel's presence and is kicked with 4020", async () => {
    const a = await keyClient(pk, "room-1");
    const peerId = a.client.peerId as string;
    await view("Live");
    await page.getByRole("button", { name: "Show presence of room-1" }).click();
    const item = page.locator(`li[data-peer-id="${peerId}"]`);
    await item.waitFor();
    const mark = a.log.events.length - 1;
    await item.getByRole("button", { name: "Kick" }).click();
    const closed = await a.log.waitFor("disconnected", { after: mark });
    expect(closed.ctx).toMatchObject({ code: 4020 });
    await page.getByText(`Kicked ${peerId}: 1 connection(s) closed with 4020.`).waitFor();
    await item.waitFor({ state: "detached" });
  });

  it("Keys: revoking the key refuses new connects with 4001", async () => {
    await view("Keys");
    const row = page.locator(`tr[data-key-id="${pk}"]`);
    await row.getByRole("button", { name: "Revoke" }).click();
    await row.getByText("revoked").waitFor();
    const t = h.client({ url: sdkUrl(ts.port), apiKey: pk, reconnect: false });
    const error = await t.client.connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ closeCode: 4001 });
  });

  let token = "";
  it("Tokens: mints a token, shows its decoded claims, an API error in words, and the token connects", async () => {
    await view("Tokens");
    await page.getByLabel("Signing key").selectOption(ts.sk.id);
    await page.getByLabel("Peer ID").fill("dash-peer");
    await page.getByLabel("Channels", { exact: true }).fill("room-*");
    await page.getByLabel("Peer metadata (JSON)").fill('{"name":"Dana"}');
    // Over the server's maximum lifetime: the API's refusal is shown in words.
    await page.getByLabel("TTL (seconds)").fill("999999");
    await page.getByRole("button", { name: "Mint token" }).click();
    await page
      .getByText(/Could not mint the token: expiresInSec is over .*\(400 invalid_request\)/)
      .waitFor();

    await page.getByLabel("TTL (seconds)").fill("600");
    await page.getByRole("button", { name: "Mint token" }).click();
    const claims = page.getByTestId("decoded-claims");
    await claims.waitFor();
    const decoded = JSON.parse((await claims.textContent()) ?? "{}");
    expect(decoded).toMatchObject({ sub: "dash-peer", channels: ["room-*"], peerMetadata: { name: "Dana" } });
    expect(decoded.exp - decoded.iat).toBe(600);
    token = await page.getByLabel("Token", { exact: true }).inputValue();
    await shot("tokens");

    const t = h.client({ url: sdkUrl(ts.port), tokenProvider: async () => token, reconnect: false });
    await t.client.connect();
    expect(t.client.peerId).toBe("dash-peer");
    await t.client.subscribe("room-7");
    // Its peerMetadata is shown in the channel's presence.
    await view("Live");
    await page.getByLabel("Channel", { exact: true }).fill("room-7");
    await page.getByRole("button", { name: "Show presence", exact: true }).click();
    const item = page.locator('li[data-peer-id="dash-peer"]');
    await item.waitFor();
    expect(await item.textContent()).toContain('"name": "Dana"');
  });

  it("Live: the chart moves while a client publishes", async () => {
    const publisher = await keyClient(ts.pk, "room-9");
    const legend = page.locator('[data-legend="messages/s"]');
    const series = page.locator('polyline[data-series="messages/s"]');
    const before = await series.getAttribute("points");
    let sent = 0;
    const rate = await until("messages/s above 0", async () => {
      await publisher.client.publish("room-9", { n: ++sent });
      const m = /messages\/s: ([0-9.]+)/.exec((await legend.textContent()) ?? "");
      return m && Number(m[1]) > 0 ? Number(m[1]) : undefined;
    });
    expect(rate).toBeGreaterThan(0);
    expect(await series.getAttribute("points")).not.toBe(before);
    // And it keeps updating by itself: more samples arrive without any action.
    const svg = page.getByRole("img", { name: /Connections and messages per second/ });
    const samples = Number(await svg.getAttribute("data-samples"));
    await until("another sample", async () => Number(await svg.getAttribute("data-samples")) > samples);
    await page.getByRole("button", { name: "Show presence of room-7" }).click();
    await page.locator('li[data-peer-id="dash-peer"]').waitFor();
    await shot("live");
  });

  it("Try it: joins a channel through the SDK in the page and sees presence and messages live", async () => {
    await view("Try it");
    await page.getByLabel("Publishable key").selectOption(ts.pk);
    await page.getByLabel("Channel to join").fill("room-7");
    await page.getByRole("button", { name: "Join", exact: true }).click();
    await until("connected", async () => (await page.getByTestId("try-state").textContent()) === "connected");
    const present = page.getByRole("list", { name: "Present peers" });
    await present.getByText("dash-peer").waitFor();
    const node = await keyClient(ts.pk, "room-7");
    await present.getByText(node.client.peerId as string).waitFor();
    await node.client.publish("room-7", { hello: "dashboard" });
    await page.getByText(`message on room-7 from ${node.client.peerId}: {"hello":"dashboard"}`).waitFor();
    // The page publishes; the Node client receives it.
    const mark = node.log.events.length - 1;
    await page.getByLabel("Message", { exact: true }).fill('{"from":"page"}');
    await page.getByRole("button", { name: "Publish", exact: true }).click();
    const got = await node.log.waitFor("message", { after: mark });
    expect(got.ctx).toMatchObject({ channel: "room-7", data: { from: "page" } });
    await shot("try-it");
    await page.getByRole("button", { name: "Leave" }).click();
  });

  it("works from the keyboard: views are reached with Tab and Enter, forms submit with Enter", async () => {
    await view("Apps");
    await page.getByLabel("App name").focus();
    await page.keyboard.type("Keyboard app");
    await page.keyboard.press("Enter");
    await page.getByRole("article", { name: "App Keyboard app" }).waitFor();
    // From the top of the page, Tab moves through the navigation; Enter opens the focused view.
    await page
      .getByRole("navigation", { name: "Views" })
      .getByRole("link", { name: "Apps", exact: true })
      .focus();
    for (let i = 0; i < 10; i++) {
      const focused = await page.evaluate(
        () =>
          (globalThis as unknown as { document: { activeElement: { textContent: string } | null } }).document
            .activeElement?.textContent,
      );
      if (focused === "Tokens") break;
      await page.keyboard.press("Tab");
    }
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { level: 1, name: "Tokens", exact: true }).waitFor();
  });

  it("works in a phone-sized window and loaded nothing from anywhere else", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await view("Live");
    const overflow = await page.evaluate(() => {
      const d = (
        globalThis as unknown as {
          document: { documentElement: { scrollWidth: number; clientWidth: number } };
        }
      ).document.documentElement;
      return d.scrollWidth - d.clientWidth;
    });
    expect(overflow).toBeLessThanOrEqual(1);
    await shot("live-phone");
    const foreign = requested.filter(
      (u) =>
        !u.startsWith(`${ts.httpUrl}/`) &&
        !u.startsWith("data:") &&
        !u.startsWith(`ws://127.0.0.1:${ts.port}`),
    );
    expect(foreign).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});

describeWithTools(CHROMIUM)("dashboard of a cluster in Chromium", () => {
  let cluster: TestCluster;
  let clusterBrowser: Browser;
  let clusterPage: Page;
  const harness = new Harness();

  beforeAll(async () => {
    cluster = await startCluster(2, "memory");
    await setAdminToken(cluster.nodes[0] as TestServer);
    clusterBrowser = await chromium.launch({
      executablePath: CHROMIUM.command,
      args: CHROMIUM_ARGS,
      headless: true,
    });
    clusterPage = await (
      await clusterBrowser.newContext({ viewport: { width: 1280, height: 860 } })
    ).newPage();
    clusterPage.setDefaultTimeout(UI_TIMEOUT);
  }, 60_000);

  afterAll(async () => {
    await harness.cleanup();
    await clusterBrowser?.close().catch(() => {});
    await cluster?.stop();
  });

  it("Live shows every node with its connections, and the cluster-wide total", async () => {
    const [first, second] = cluster.nodes as [TestServer, TestServer];
    // Two SDK clients on the second node; the dashboard is opened on the first.
    for (let i = 0; i < 2; i++) {
      const t = harness.client({ url: sdkUrl(second.port), apiKey: first.pk, reconnect: false });
      await t.client.connect();
    }
    await clusterPage.goto(`${first.httpUrl}/dashboard/`);
    await clusterPage.getByLabel("Admin token").fill(ADMIN_TOKEN);
    await clusterPage.getByRole("button", { name: "Sign in" }).click();
    await clusterPage.getByRole("heading", { level: 1, name: "Apps" }).waitFor();
    await clusterPage
      .getByRole("navigation", { name: "Views" })
      .getByRole("link", { name: "Live", exact: true })
      .click();
    const nodes = clusterPage.getByRole("table", { name: "Cluster nodes" });
    await nodes.waitFor();
    await clusterPage.getByText("Cluster connections: 2 on 2 nodes").waitFor();
    const rows = nodes.locator("tbody tr");
    expect(await rows.count()).toBe(2);
    const self = rows.filter({ hasText: "this node" });
    expect(await self.locator("td").nth(1).textContent()).toBe("0");
    const other = rows.filter({ hasNotText: "this node" });
    expect(await other.locator("td").nth(1).textContent()).toBe("2");
    await clusterPage.screenshot({
      path: `${SHOTS}live-cluster.png`,
      fullPage: true,
      animations: "disabled",
    });
  });
});
