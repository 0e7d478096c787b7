// Socket.IO 4 with rooms, websocket transport only. "join" (room, ack) joins a room; "pub" (room, data)
// emits "msg" to everyone else in the room. Prints {port, pid} once listening.
import { createServer } from "node:http";
import { Server } from "socket.io";

const http = createServer();
const io = new Server(http, { transports: ["websocket"], perMessageDeflate: false, serveClient: false });
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
