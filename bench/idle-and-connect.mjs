// Quick measurement for the server core: RSS per idle authenticated connection (each with one
// subscription, no presence action so a 10k-member snapshot does not dominate) and the JWT connect → welcome rate. Usage: node bench/idle-and-connect.mjs [10000]
// The full side-by-side benchmark lives in its own harness; this is the simple script.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";

const total = Number(process.argv[2] ?? 10_000);
const perProcess = 3_500; // ≤ 4,000 per source address, well under the 20k descriptor limit
const here = new URL(".", import.meta.url).pathname;

function lines(child) {
  const rl = createInterface({ input: child.stdout });
  const queue = [];
  const waiters = [];
  rl.on("line", (line) => {
    const value = JSON.parse(line);
    const waiter = waiters.shift();
    if (waiter) waiter(value);
    else queue.push(value);
  });
  return () => (queue.length ? Promise.resolve(queue.shift()) : new Promise((r) => waiters.push(r)));
}

function rssBytes(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]) * 1024;
}

const server = spawn(process.execPath, [`${here}server-process.mjs`], {
  stdio: ["ignore", "pipe", "inherit"],
});
const info = await lines(server)();
await new Promise((r) => setTimeout(r, 500));
global.gc?.();
const baseline = rssBytes(info.pid);

const clients = [];
for (let i = 0, left = total; left > 0; i++, left -= perProcess) {
  const n = Math.min(perProcess, left);
  const child = spawn(
    process.execPath,
    [
      `${here}client-process.mjs`,
      info.port,
      info.keyId,
      info.secret,
      String(n),
      `127.0.0.${i + 2}`,
      "bench/idle",
    ],
    { stdio: ["pipe", "pipe", "inherit"] },
  );
  clients.push({ child, next: lines(child) });
}
for (const c of clients) await c.next(); // tokens signed
const t0 = performance.now();
for (const c of clients) c.child.stdin.write("go\n");
const results = await Promise.all(clients.map((c) => c.next()));
const wallMs = performance.now() - t0;
const opened = results.reduce((s, r) => s + r.opened, 0);
const failed = results.reduce((s, r) => s + r.failed, 0);
await new Promise((r) => setTimeout(r, 3_000));
const loaded = rssBytes(info.pid);

const report = {
  connections: opened,
  failed,
  serverRssBaselineMB: +(baseline / 2 ** 20).toFixed(1),
  serverRssLoadedMB: +(loaded / 2 ** 20).toFixed(1),
  bytesPerConnection: Math.round((loaded - baseline) / opened),
  connectsPerSec: Math.round(opened / (wallMs / 1000)),
};
console.log(JSON.stringify(report, null, 2));
for (const c of clients) c.child.kill("SIGTERM");
server.kill("SIGTERM");
