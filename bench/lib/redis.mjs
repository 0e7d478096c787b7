// A private redis-server for the cluster scenario: started on a free port with no persistence
// (`--save "" --appendonly no`), killed by stop(). `commandCalls` reads `INFO commandstats`.
import { spawn } from "node:child_process";
import { connect, createServer } from "node:net";
import { sleep, stopProcess } from "./proc.mjs";

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const accepts = (port) =>
  new Promise((resolve) => {
    const s = connect(port, "127.0.0.1");
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });

/** Starts redis-server; resolves to {port, pid, url, client (ioredis), stop()} once it accepts. */
export async function startRedis() {
  const port = await freePort();
  const child = spawn(
    "redis-server",
    [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--loglevel",
      "warning",
    ],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  let exited = null;
  child.once("error", (e) => {
    exited = `redis-server: ${e.message}`;
  });
  child.once("exit", (code, signal) => {
    exited ??= `redis-server exited (${code ?? signal})`;
  });
  for (let i = 0; !(await accepts(port)); i++) {
    if (exited) throw new Error(exited);
    if (i > 100) throw new Error(`redis-server not accepting on ${port} after 10 s`);
    await sleep(100);
  }
  const { Redis } = await import("ioredis");
  const client = new Redis({ host: "127.0.0.1", port });
  await client.ping();
  return {
    port,
    pid: child.pid,
    url: `redis://127.0.0.1:${port}`,
    client,
    async stop() {
      client.disconnect();
      if (!exited) await stopProcess(child);
    },
  };
}

/** `INFO commandstats` as {command: calls}, e.g. {publish: 120, "client|setname": 2}. */
export async function commandCalls(client) {
  const calls = {};
  for (const m of (await client.info("commandstats")).matchAll(/^cmdstat_(\S+?):calls=(\d+)/gm))
    calls[m[1]] = Number(m[2]);
  return calls;
}
