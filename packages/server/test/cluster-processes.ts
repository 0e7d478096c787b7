/**
 * Cluster nodes as separate processes (test/fixtures/cluster-node.mjs), for what an in-process
 * cluster cannot show: a node killed with SIGKILL, Redis restarted under running nodes, a load
 * balancer in front.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const FIXTURE = fileURLToPath(new URL("./fixtures/cluster-node.mjs", import.meta.url));

export interface NodeProcess {
  readonly nodeId: string;
  readonly port: number;
  readonly url: string;
  readonly httpUrl: string;
  readonly child: ChildProcess;
  /** SIGKILL: the node dies without a word to anyone. */
  kill(): Promise<void>;
  /** SIGTERM: a graceful drain. */
  stop(): Promise<void>;
}

export interface NodeProcessOptions {
  dataDir: string;
  redisUrl: string;
  prefix: string;
  nodeId: string;
  port?: number;
  config?: Record<string, unknown>;
  timings?: Record<string, number>;
  ttlMs?: number;
}

/** Spawns one node and waits until it listens (its stderr is passed through). */
export async function startNodeProcess(options: NodeProcessOptions): Promise<NodeProcess> {
  const child = spawn(process.execPath, [FIXTURE, JSON.stringify(options)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const first = await Promise.race([
    once(lines, "line").then(([line]) => JSON.parse(line as string) as { port: number }),
    once(child, "exit").then(([code]) => {
      throw new Error(`cluster node ${options.nodeId} exited with ${code} before listening`);
    }),
  ]);
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, "exit");
    child.kill(signal);
    await exited;
  };
  return {
    nodeId: options.nodeId,
    port: first.port,
    url: `ws://127.0.0.1:${first.port}/v1`,
    httpUrl: `http://127.0.0.1:${first.port}`,
    child,
    kill: () => end("SIGKILL"),
    stop: () => end("SIGTERM"),
  };
}
