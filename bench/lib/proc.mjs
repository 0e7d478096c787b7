// Process helpers: spawn a node script that speaks JSON lines on stdout, read /proc figures.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { Socket } from "node:net";
import { createInterface } from "node:readline";

const benchDir = new URL("..", import.meta.url).pathname;
const CLK_TCK = 100; // Linux USER_HZ
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Spawns `node bench/<script> ...args`; returns {child, next(timeoutMs), send(obj), stop()}. */
export function spawnJson(script, args = [], { nodeArgs = [] } = {}) {
  const child = spawn(process.execPath, [...nodeArgs, `${benchDir}${script}`, ...args.map(String)], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const queue = [];
  const waiters = [];
  let exited = null;
  createInterface({ input: child.stdout }).on("line", (line) => {
    let value;
    try {
      value = JSON.parse(line);
    } catch {
      return; // stray log line
    }
    const w = waiters.shift();
    if (w) w.resolve(value);
    else queue.push(value);
  });
  child.on("exit", (code, signal) => {
    exited = `${script} exited (${code ?? signal})`;
    for (const w of waiters.splice(0)) w.reject(new Error(exited));
  });
  child.stdin.on("error", () => {});
  return {
    child,
    pid: child.pid,
    next(timeoutMs = 120_000) {
      if (queue.length) return Promise.resolve(queue.shift());
      if (exited) return Promise.reject(new Error(exited));
      return new Promise((resolve, reject) => {
        const w = { resolve, reject };
        const t = setTimeout(() => {
          const i = waiters.indexOf(w);
          if (i >= 0) waiters.splice(i, 1);
          reject(new Error(`${script}: no reply within ${timeoutMs} ms`));
        }, timeoutMs);
        w.resolve = (v) => {
          clearTimeout(t);
          resolve(v);
        };
        w.reject = (e) => {
          clearTimeout(t);
          reject(e);
        };
        waiters.push(w);
      });
    },
    send(obj) {
      if (!exited) child.stdin.write(`${JSON.stringify(obj)}\n`);
    },
    async stop() {
      if (!exited) await stopProcess(child);
    },
  };
}

/** SIGTERM, then SIGKILL after 5 s; resolves once `child` has exited. */
export async function stopProcess(child) {
  const done = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  const t = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await done;
  clearTimeout(t);
}

/** Reads JSON-line commands from stdin (for load-generator children). */
export function commands(handler) {
  createInterface({ input: process.stdin }).on("line", (line) => {
    if (line.trim()) handler(JSON.parse(line));
  });
  process.stdin.on("end", () => process.exit(0));
}
export const reply = (obj) => process.stdout.write(`${JSON.stringify(obj)}\n`);

/** utime + stime of a process in microseconds. */
export function cpuMicros(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLK_TCK;
}

export function rssBytes(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]) * 1024;
}

/** Splits `total` over `procs` client processes; process i uses source address 127.0.0.(i+2). */
export function spread(total, procs) {
  const per = Math.ceil(total / procs);
  const parts = [];
  for (let i = 0, left = total; left > 0; i++, left -= per)
    parts.push({ n: Math.min(per, left), addr: `127.0.0.${i + 2}` });
  if (parts.some((p) => p.n > 4_000)) throw new Error("more than 4,000 connections per source address");
  return parts;
}

/**
 * Load generators exit through this on SIGTERM: every TCP connection of the process is reset
 * (RST, SO_LINGER 0) instead of closed, so it leaves no TIME_WAIT entry behind. Tens of thousands of
 * TIME_WAIT sockets on the 127.0.0.x source addresses made every later `bind()` search for a free
 * port (the load generators' CPU per connect doubled and the connect rate halved in the next
 * scenario). `process._getActiveHandles` is undocumented but reaches sockets of every client
 * library (ws, Socket.IO) alike.
 */
export function exitWithoutTimeWait() {
  for (const handle of process._getActiveHandles?.() ?? []) {
    if (handle instanceof Socket && typeof handle.resetAndDestroy === "function" && handle.remotePort) {
      try {
        handle.resetAndDestroy();
      } catch {
        handle.destroy();
      }
    }
  }
  process.exit(0);
}
