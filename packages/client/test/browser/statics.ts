/**
 * A tiny static server for test pages on 127.0.0.1 (Chromium refuses WebSockets to loopback from
 * `about:blank` and `file:` pages). It serves exactly the files it is given; anything else a page
 * asks for is recorded, so a test can fail on it (the SDK bundle must be self-contained).
 */
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { extname } from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
};

export interface Statics {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** Paths asked for and not served since the last call; clears the list. */
  takeNotFound(): string[];
  close(): Promise<void>;
}

/** Serves `files` (URL path → file path) until {@link Statics.close}. */
export async function serveStatics(files: Record<string, string>): Promise<Statics> {
  const routes = new Map(Object.entries(files));
  const notFound: string[] = [];
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
    const file = routes.get(path);
    if (path === "/favicon.ico") {
      res.writeHead(204).end();
      return;
    }
    if (file === undefined) {
      notFound.push(path);
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    const type = TYPES[extname(file)] ?? "application/octet-stream";
    readFile(file).then(
      (body) => res.writeHead(200, { "content-type": type, "cache-control": "no-store" }).end(body),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    takeNotFound: () => notFound.splice(0),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
