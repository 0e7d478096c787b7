// Socket.IO 4 with rooms, websocket transport only; argv: [redisUrl]. "join" (room, ack) joins a room;
// "pub" (room, data) emits "msg" to everyone else in the room. With a Redis URL the node uses
// @socket.io/redis-adapter on two ioredis connections (publish, subscribe), so a "pub" reaches the
// room's sockets on every node. Prints {port, pid} once listening.
import { createServer } from "node:http";
import { Server } from "socket.io";

const redisUrl = process.argv[2];
const http = createServer();
const io = new Server(http, {
  transports: ["websocket"],
  perMessageDeflate: false,
  serveClient: false,
  ...(redisUrl === undefined ? {} : { adapter: await redisAdapter(redisUrl) }),
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

async function redisAdapter(url) {
  const [{ createAdapter }, { Redis }] = await Promise.all([
    import("@socket.io/redis-adapter"),
    import("ioredis"),
  ]);
  const pub = new Redis(url);
  const sub = pub.duplicate();
  await Promise.all([pub.ping(), sub.ping()]);
  return createAdapter(pub, sub);
}
