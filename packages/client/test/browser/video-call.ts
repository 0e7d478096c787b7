/**
 * Runs examples/video-call in this process, the way `npm run example:video-call` composes it
 * (main.js), over a temp data dir and free ports. Switchboard can be stopped and started again
 * on the same port and data dir: a signalling outage the page must ride out.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

const EXAMPLE_DIR = new URL("../../../../examples/video-call/", import.meta.url);
/** The SDK bundle the example serves as /sdk.js. */
const BUNDLE = new URL("../../dist/browser.js", import.meta.url);

interface RunningSwitchboard {
  url: string;
  port: number;
  secretKey: { id: string; secret: string };
  stop(): Promise<void>;
}

/** The example's modules; it is plain JavaScript, so their shape is declared here. */
interface ExampleModules {
  startSwitchboard(options: {
    dataDir: string;
    port?: number;
    turnSecret?: string;
    turnUrls?: string[];
  }): Promise<RunningSwitchboard>;
  startBackend(options: {
    port?: number;
    switchboardUrl: string;
    secretKey: { id: string; secret: string };
  }): Promise<{ url: string; close(): Promise<void> }>;
}

/** TURN settings handed to the example's Switchboard (its `turnSecret` / `turnUrls`). */
export interface TurnOptions {
  turnSecret: string;
  turnUrls: string[];
}

/** A running copy of the example. */
export interface VideoCallExample {
  /** The page to open (the one URL `npm run example:video-call` prints). */
  url: string;
  /** Stops Switchboard (clients get going_away and a 1001 close); the page stays served. */
  stopSwitchboard(): Promise<void>;
  /** Starts Switchboard again on the same port and data dir (same secret key). */
  startSwitchboard(): Promise<void>;
  /** Stops everything and removes the data dir. */
  stop(): Promise<void>;
}

/** The example's two server modules. */
async function load(): Promise<ExampleModules> {
  // Computed specifiers: the example is JavaScript, with no declarations for the type checker.
  const [{ startSwitchboard }, { startBackend }] = await Promise.all(
    ["switchboard.js", "backend.js"].map((file) => import(new URL(file, EXAMPLE_DIR).href)),
  );
  return { startSwitchboard, startBackend };
}

/** Starts the example: Switchboard on a free port, the backend on another. */
export async function startVideoCall(turn?: TurnOptions): Promise<VideoCallExample> {
  if (!existsSync(BUNDLE))
    throw new Error(`no browser bundle at ${BUNDLE.pathname}: run \`npm run build\` first`);
  const { startSwitchboard, startBackend } = await load();
  const dataDir = await mkdtemp(join(tmpdir(), "switchboard-video-call-"));
  let switchboard: RunningSwitchboard | undefined = await startSwitchboard({ dataDir, ...turn });
  const port = switchboard.port;
  const backend = await startBackend({
    port: 0,
    switchboardUrl: switchboard.url,
    secretKey: switchboard.secretKey,
  });
  return {
    url: backend.url,
    async stopSwitchboard() {
      await switchboard?.stop();
      switchboard = undefined;
    },
    async startSwitchboard() {
      if (switchboard) throw new Error("Switchboard is already running");
      switchboard = await startSwitchboard({ dataDir, port, ...turn });
    },
    async stop() {
      await backend.close();
      await switchboard?.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
