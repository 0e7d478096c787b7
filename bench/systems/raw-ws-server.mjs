// The floor: a bare `ws` fan-out server. No auth, no channels; every text frame a socket sends is
// sent to every other open socket. Prints {port, pid} once listening.
import { WebSocketServer } from "ws";

const wss = new WebSocketServer({
  port: 0,
  host: "127.0.0.1",
  perMessageDeflate: false,
  clientTracking: true,
});
wss.on("connection", (ws) => {
  ws.on("message", (data, isBinary) => {
    for (const other of wss.clients)
      if (other !== ws && other.readyState === 1) other.send(data, { binary: isBinary });
  });
  ws.on("error", () => {});
});
wss.on("listening", () =>
  process.stdout.write(`${JSON.stringify({ port: wss.address().port, pid: process.pid })}\n`),
);
process.on("SIGTERM", () => process.exit(0));
