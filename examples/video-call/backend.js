// The example's app backend: serves the page and the SDK bundle, tells the page where Switchboard
// is, and mints a connect token for whoever asks. A real app would check its own session in
// POST /token before minting; this one trusts the name it is given.
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { signCallToken } from "./token.js";

const publicFile = (name) => fileURLToPath(new URL(`./public/${name}`, import.meta.url));

/** What GET serves: the page, its script and style, and the SDK's self-contained browser bundle. */
const FILES = new Map([
  ["/", { path: publicFile("index.html"), type: "text/html; charset=utf-8" }],
  ["/call.js", { path: publicFile("call.js"), type: "text/javascript; charset=utf-8" }],
  ["/style.css", { path: publicFile("style.css"), type: "text/css; charset=utf-8" }],
  [
    "/sdk.js",
    {
      path: createRequire(import.meta.url).resolve("@switchboard/client/browser"),
      type: "text/javascript; charset=utf-8",
    },
  ],
]);

/** Room names become channel names: keep them to characters with no meaning in channel patterns. */
const ROOM = /^[A-Za-z0-9_-]{1,64}$/;
const PEER_ID = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_NAME = 64;
const MAX_BODY = 4096;

/** The channel of a call room; tokens grant exactly this one channel. */
export const roomChannel = (room) => `video-call/${room}`;

function reply(res, status, body) {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}

async function readJson(req) {
  let text = "";
  for await (const chunk of req) {
    text += chunk;
    if (text.length > MAX_BODY) throw new Error("body too large");
  }
  return JSON.parse(text);
}

/**
 * `POST /token` `{name, room, peerId}` → `{token}`. The page picks `peerId` once per page load, so
 * the tokens of its reconnects keep the same `sub`: the other participants see the same peer
 * coming back (and keep its tile) rather than a stranger joining.
 */
async function mintToken(req, res, secretKey) {
  let body;
  try {
    body = await readJson(req);
  } catch {
    return reply(res, 400, { error: "expected a JSON body" });
  }
  const name = typeof body?.name === "string" ? body.name.trim() : "";
  if (name === "" || name.length > MAX_NAME) return reply(res, 400, { error: "name: 1–64 characters" });
  if (!ROOM.test(body.room ?? "")) return reply(res, 400, { error: "room: letters, digits, - and _" });
  if (!PEER_ID.test(body.peerId ?? "")) return reply(res, 400, { error: "peerId: letters, digits, - and _" });
  const token = await signCallToken(secretKey, {
    peerId: body.peerId,
    name,
    channel: roomChannel(body.room),
  });
  reply(res, 200, { token });
}

/**
 * Starts the backend on 127.0.0.1.
 *
 * @param {{ port?: number, switchboardUrl: string, secretKey: { id: string, secret: string } }} options
 *   `port` 0 picks a free one (default 3000)
 * @returns {Promise<{ url: string, close(): Promise<void> }>} `url` is the page to open
 */
export async function startBackend({ port = 3000, switchboardUrl, secretKey }) {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (req.method === "POST" && path === "/token") return void mintToken(req, res, secretKey);
    if (req.method === "GET" && path === "/config.json") return reply(res, 200, { switchboardUrl });
    const file = req.method === "GET" ? FILES.get(path) : undefined;
    if (file === undefined) return reply(res, 404, { error: "not found" });
    readFile(file.path).then(
      (content) =>
        res.writeHead(200, { "content-type": file.type, "cache-control": "no-store" }).end(content),
      () => reply(res, 500, { error: `cannot read ${path}` }),
    );
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
