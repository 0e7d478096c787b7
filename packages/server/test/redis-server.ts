/**
 * Redis for tests: whether the machine's Redis answers, and a private `redis-server` on a free
 * port that a test may stop and start again (the machine's Redis must never be stopped).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createConnection, createServer } from "node:net";

/** The machine's Redis, which `.ci/run` keeps up. */
export const MACHINE_REDIS = { host: "127.0.0.1", port: 6379 } as const;

/**
 * Undefined when a Redis answers `PING` at `host:port` within `timeoutMs`, else why not (for
 * `describeWithService`).
 */
export async function redisProblem(
  host: string = MACHINE_REDIS.host,
  port: number = MACHINE_REDIS.port,
  timeoutMs = 1_000,
): Promise<string | undefined> {
  const why = `no Redis answers on ${host}:${port}: start one (\`apt-get install redis-server\`)`;
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (problem: string | undefined): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(problem);
    };
    const timer = setTimeout(() => done(why), timeoutMs);
    socket.once("error", () => done(why));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => done(data.toString().startsWith("+PONG") ? undefined : why));
  });
}

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** A private, memory-only redis-server. */
export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Kills the server (SIGKILL: an outage, not a shutdown). */
  stop(): Promise<void>;
  /** Starts it again on the same port; resolves once it answers. */
  start(): Promise<void>;
}

/** Spawns `redis-server --port <free> --save '' --appendonly no` and waits until it answers. */
export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    child = spawn("redis-server", ["--port", String(port), "--save", "", "--appendonly", "no"], {
      stdio: "ignore",
    });
    const deadline = Date.now() + 5_000;
    while ((await redisProblem("127.0.0.1", port, 200)) !== undefined) {
      if (Date.now() > deadline) throw new Error(`redis-server on ${port} did not start`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };
  const stop = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null) return;
    const exited = once(running, "exit");
    running.kill("SIGKILL");
    await exited;
  };
  await start();
  return { port, url: `redis://127.0.0.1:${port}`, stop, start };
}
