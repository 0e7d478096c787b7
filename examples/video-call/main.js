// `npm run example:video-call`: Switchboard (on a free port) plus the example's backend (on PORT,
// default 3000), then one line with the URL to open. Ctrl-C stops both.
//
// Environment: PORT; DATA_DIR (default examples/video-call/.data); TURN_SECRET and TURN_URLS
// (comma-separated, e.g. turn:127.0.0.1:3478?transport=udp) to hand out TURN credentials.
import { fileURLToPath } from "node:url";
import { startBackend } from "./backend.js";
import { startSwitchboard } from "./switchboard.js";

const env = process.env;
const port = env.PORT === undefined ? 3000 : Number(env.PORT);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be a port number, got ${JSON.stringify(env.PORT)}`);
  process.exit(2);
}

const switchboard = await startSwitchboard({
  dataDir: env.DATA_DIR ?? fileURLToPath(new URL("./.data", import.meta.url)),
  turnSecret: env.TURN_SECRET || undefined,
  turnUrls: env.TURN_URLS ? env.TURN_URLS.split(",").map((url) => url.trim()) : [],
});
let backend;
try {
  backend = await startBackend({ port, switchboardUrl: switchboard.url, secretKey: switchboard.secretKey });
} catch (err) {
  await switchboard.stop();
  console.error(`cannot listen on 127.0.0.1:${port}: ${err.message} (set PORT to another port)`);
  process.exit(1);
}

console.log(`Open ${backend.url} in two or more browser tabs.`);

const stop = async () => {
  await backend.close();
  await switchboard.stop();
  process.exit(0);
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
