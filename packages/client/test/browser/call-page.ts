/**
 * Driving the video-call example page like a user: labelled inputs, buttons found by their name,
 * what the page shows. (Its WebRTC state is read in page-peer.ts.) Page-side code runs in
 * Chromium and the test tsconfig has no DOM lib, so what it touches is typed structurally.
 */
import type { Browser, BrowserContext, Page } from "playwright-core";

/** One participant: a browser context of its own and the example page in it. */
export interface CallPage {
  name: string;
  context: BrowserContext;
  page: Page;
  /** Uncaught page errors and console errors, checked at the end of a test. */
  errors: string[];
}

/** Opens the example page (`query` e.g. `?relay=1`) in a fresh context. */
export async function openCallPage(
  browser: Browser,
  url: string,
  name: string,
  query = "",
): Promise<CallPage> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(String(err)));
  page.on("console", (msg) => {
    if (msg.type() === "error") errors.push(`console: ${msg.text()}`);
  });
  await page.goto(`${url}${query}`);
  return { name, context, page, errors };
}

/** Types the name and room into their labelled fields, clicks "Join" and waits for the call view. */
export async function joinCall(call: CallPage, room: string, timeoutMs = 15_000): Promise<void> {
  const { page } = call;
  await page.getByLabel("Your name").fill(call.name);
  await page.getByLabel("Room").fill(room);
  await page.getByRole("button", { name: "Join" }).click();
  await page.getByRole("button", { name: "Leave" }).waitFor({ state: "visible", timeout: timeoutMs });
}

/** The text of the page's error line (role "alert") when it is shown, else undefined. */
export async function shownError(call: CallPage): Promise<string | undefined> {
  const alert = call.page.getByRole("alert");
  return (await alert.isVisible()) ? ((await alert.textContent()) ?? "") : undefined;
}

/** A remote tile as the page shows it. */
export interface Tile {
  peerId: string;
  name: string;
  /** The `<video>` element's intrinsic width: 0 until it has a frame to show. */
  videoWidth: number;
}

export function tiles(page: Page): Promise<Tile[]> {
  return page.evaluate(() => {
    const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): Iterable<unknown> } })
      .document;
    return [...doc.querySelectorAll("#remotes figure")].map((node) => {
      const figure = node as {
        dataset: { peerId: string };
        querySelector(s: string): { textContent: string; videoWidth: number };
      };
      return {
        peerId: figure.dataset.peerId,
        name: figure.querySelector("figcaption").textContent,
        videoWidth: figure.querySelector("video").videoWidth,
      };
    });
  });
}

/** Closes the participants' contexts (their pages, media and connections with them). */
export async function closeAll(calls: CallPage[]): Promise<void> {
  await Promise.all(calls.splice(0).map((c) => c.context.close().catch(() => {})));
}
