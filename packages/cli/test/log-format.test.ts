/**
 * `serve --log-format`: JSON lines when stderr is not a terminal (a child process's never is),
 * human-readable lines with `pretty` (flag or `SWITCHBOARD_LOG_FORMAT`); anything else is exit 2.
 */
import { describe, expect, it } from "vitest";
import { run, type Served, serveFixture } from "./helpers.js";

async function logLines(served: Served): Promise<string[]> {
  const deadline = Date.now() + 5_000;
  while (!served.stderr().includes("listening") && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return served.stderr().trim().split("\n");
}

const PRETTY_LISTENING =
  /^\d\d:\d\d:\d\d\.\d{3} INFO {2}listening host=127\.0\.0\.1 port=\d+ maxConnections=\d+$/;

describe("serve --log-format", () => {
  const fx = serveFixture();
  let served: Served | undefined;

  it("defaults to JSON when stderr is not a terminal", async () => {
    served = await fx.serve(["--port", "0", "--data-dir", fx.tmp.dataDir]);
    const lines = await logLines(served);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
    expect(lines.map((l) => JSON.parse(l).msg)).toContain("listening");
  });

  it("--log-format pretty forces human-readable lines (no colours off a terminal)", async () => {
    served = await fx.serve(["--port", "0", "--data-dir", fx.tmp.dataDir, "--log-format", "pretty"]);
    const lines = await logLines(served);
    expect(
      lines.some((l) => PRETTY_LISTENING.test(l)),
      lines.join("\n"),
    ).toBe(true);
    for (const line of lines) expect(() => JSON.parse(line)).toThrow();
    expect(served.stderr()).not.toContain("\x1b[");
  });

  it("SWITCHBOARD_LOG_FORMAT=pretty works, and the flag wins over it", async () => {
    served = await fx.serve(["--port", "0", "--data-dir", fx.tmp.dataDir], {
      SWITCHBOARD_LOG_FORMAT: "pretty",
    });
    expect((await logLines(served)).some((l) => PRETTY_LISTENING.test(l))).toBe(true);
    await served.stop();
    served = await fx.serve(["--port", "0", "--data-dir", fx.tmp.dataDir, "--log-format", "json"], {
      SWITCHBOARD_LOG_FORMAT: "pretty",
    });
    for (const line of await logLines(served)) expect(() => JSON.parse(line)).not.toThrow();
  });

  it.each([
    [["--log-format", "xml"], {}],
    [[], { SWITCHBOARD_LOG_FORMAT: "text" }],
  ])("an unknown format %j %j → exit 2, one line", async (args, env) => {
    const r = await run(["serve", "--port", "0", "--data-dir", fx.tmp.dataDir, ...args], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--log-format.*Allowed choices are pretty, json/);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });
});
