import type { IncomingMessage, ServerResponse } from "node:http";

/** Plain HTTP requests: `/healthz` now; the REST control plane mounts here later. */
export function handleHttpRequest(req: IncomingMessage, res: ServerResponse, accepting: () => boolean): void {
  const path = (req.url ?? "/").split("?", 1)[0];
  if (path === "/healthz" && (req.method === "GET" || req.method === "HEAD")) {
    // Alive means the process answers; whether it takes new clients is /readyz's question (later).
    sendJson(res, 200, { status: "ok", accepting: accepting() });
    return;
  }
  if (path === "/v1") {
    sendJson(res, 426, { error: "upgrade_required", message: "/v1 is a WebSocket endpoint" });
    return;
  }
  sendJson(res, 404, { error: "not_found", message: `no route for ${req.method} ${path}` });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}
