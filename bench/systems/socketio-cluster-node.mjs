// Socket.IO 4 cluster node for the bench: argv redisUrl. The rooms of socketio-server.mjs ("join",
// "pub" → "msg" to everyone else in the room), websocket transport, plus @socket.io/redis-adapter on
// two ioredis connections (publish, subscribe), so a "pub" reaches the room's sockets on every node.
// Prints {port, pid} once listening.
import { createServer } from "node:http";
import { createAdapter } from "@socket.io/redis-adapter";
import { Redis } from "ioredis";
import { Server } from "socket.io";

const pub = new Redis(process.argv[2]);
const sub = pub.duplicate();
await Promise.all([pub.ping(), sub.ping()]);
const http = createServer();
const io = new Server(http, {
  transports: ["websocket"],
  perMessageDeflate: false,
  serveClient: false,
  adapter: createAdapter(pub, sub),
});
io.on("connection", (socket) => {
  socket.on("join", (room, ack) => {
    socket.join(room);
    if (typeof ack === "function") ack();
  });
  socket.on("pub", (room, data) => socket.to(room).emit("msg", data));
});
http.listen(0, "127.0.0.1", () =>
  process.stdout.write(`${JSON.stringify({ port: http.address().port, pid: process.pid })}\n`),
);
process.on("SIGTERM", () => process.exit(0));
