/**
 * A real coturn (Debian `coturn`, `turnserver`) for tests: loopback only, `use-auth-secret`, a temp
 * dir for its userdb and pidfile, free ports picked here. Readiness is a STUN Binding request
 * answered, not a sleep. See shared toolbox notes for why each flag is there.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes, randomInt } from "node:crypto";
import { createSocket } from "node:dgram";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Coturn {
  /** UDP/TCP listening port. */
  port: number;
  /** Relay port range. */
  minPort: number;
  maxPort: number;
  secret: string;
  realm: string;
  /** Everything coturn printed so far. */
  log(): string;
  /** Stops coturn (SIGTERM, SIGKILL after 3 s) and removes its temp dir. */
  stop(): Promise<void>;
}

const RELAY_PORTS = 40;
/** Below Linux's ephemeral range (32768–60999), so client sockets of other tests do not take them. */
const PORT_FLOOR = 10_000;
const PORT_CEIL = 32_000;

function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket("udp4");
    socket.once("error", () => resolve(false));
    socket.bind(port, "127.0.0.1", () => socket.close(() => resolve(true)));
  });
}

function tcpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** A listening port free on UDP and TCP, followed by a free UDP relay range. */
async function pickPorts(): Promise<{ port: number; minPort: number; maxPort: number }> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = randomInt(PORT_FLOOR, PORT_CEIL - RELAY_PORTS - 1);
    const relay = Array.from({ length: RELAY_PORTS }, (_, i) => port + 1 + i);
    if (!(await udpFree(port)) || !(await tcpFree(port))) continue;
    if ((await Promise.all(relay.map(udpFree))).every(Boolean)) {
      return { port, minPort: port + 1, maxPort: port + RELAY_PORTS };
    }
  }
  throw new Error("no free port range for coturn");
}

/** True once a STUN Binding request to `port` gets a Binding success response. */
function stunAnswers(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket("udp4");
    const request = Buffer.alloc(20);
    request.writeUInt16BE(0x0001, 0); // Binding request, no attributes
    request.writeUInt32BE(0x2112a442, 4); // magic cookie
    randomBytes(12).copy(request, 8); // transaction id
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.close();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on("error", () => done(false));
    socket.on("message", (msg) => {
      if (
        msg.length >= 20 &&
        msg.readUInt16BE(0) === 0x0101 &&
        msg.subarray(8, 20).equals(request.subarray(8, 20))
      )
        done(true);
    });
    socket.send(request, port, "127.0.0.1");
  });
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once("exit", () => resolve()));
}

async function kill(child: ChildProcess): Promise<void> {
  // No pid: the spawn itself failed (no turnserver), and no `exit` event will come.
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 3_000);
  await exited(child);
  clearTimeout(timer);
}

/** Starts coturn and resolves once it answers STUN; retries on a port race, fails after 20 s. */
export async function startCoturn(secret: string, realm = "switchboard.test"): Promise<Coturn> {
  const dir = await mkdtemp(join(tmpdir(), "switchboard-coturn-"));
  const deadline = Date.now() + 20_000;
  let output = "";
  try {
    for (;;) {
      const { port, minPort, maxPort } = await pickPorts();
      const child = spawn(
        "turnserver",
        [
          "-n", // no config file
          "--listening-ip=127.0.0.1",
          "--relay-ip=127.0.0.1",
          `--listening-port=${port}`,
          `--min-port=${minPort}`,
          `--max-port=${maxPort}`,
          "--use-auth-secret",
          `--static-auth-secret=${secret}`,
          `--realm=${realm}`,
          "--no-tls",
          "--no-dtls",
          "--no-cli",
          "--log-file=stdout",
          "--simple-log",
          "--allow-loopback-peers", // both peers are on 127.0.0.1
          `--userdb=${join(dir, `turndb-${port}`)}`,
          `--pidfile=${join(dir, `turnserver-${port}.pid`)}`,
        ],
        { stdio: ["ignore", "pipe", "pipe"] },
      );
      output = "";
      child.stdout?.on("data", (d) => (output += d));
      child.stderr?.on("data", (d) => (output += d));
      let spawnError: Error | undefined;
      child.once("error", (err) => (spawnError = err));
      while (Date.now() < deadline && child.exitCode === null && spawnError === undefined) {
        if (await stunAnswers(port, 250)) {
          return {
            port,
            minPort,
            maxPort,
            secret,
            realm,
            log: () => output,
            async stop() {
              await kill(child);
              await rm(dir, { recursive: true, force: true });
            },
          };
        }
      }
      await kill(child);
      if (spawnError)
        throw new Error(`cannot run turnserver (apt-get install coturn): ${spawnError.message}`);
      if (Date.now() >= deadline) throw new Error(`coturn did not answer STUN within 20 s:\n${output}`);
      // Exited early: most likely a port taken between the check and its bind. Try other ports.
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
