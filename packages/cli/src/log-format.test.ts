import { describe, expect, it } from "vitest";
import { chooseLogFormat, prettyLine } from "./log-format.js";

describe("chooseLogFormat", () => {
  it("is pretty on a terminal, JSON elsewhere, unless asked", () => {
    expect(chooseLogFormat(undefined, true)).toBe("pretty");
    expect(chooseLogFormat(undefined, false)).toBe("json");
    expect(chooseLogFormat("json", true)).toBe("json");
    expect(chooseLogFormat("pretty", false)).toBe("pretty");
  });
});

describe("prettyLine", () => {
  const time = new Date(2026, 0, 2, 3, 4, 5, 6).getTime();

  it("shows time, level, message and the other fields", () => {
    const line = JSON.stringify({
      level: 30,
      time,
      service: "switchboard",
      msg: "listening",
      host: "::",
      port: 8080,
    });
    expect(prettyLine(line)).toBe("03:04:05.006 INFO  listening host=:: port=8080\n");
  });

  it("quotes strings with spaces, shows objects as JSON and an error's stack below", () => {
    const line = JSON.stringify({
      level: 50,
      time,
      msg: "request failed",
      reason: "two words",
      detail: { a: 1 },
      err: { type: "Error", message: "boom", stack: "Error: boom\n    at x (y.js:1:1)" },
    });
    expect(prettyLine(line)).toBe(
      '03:04:05.006 ERROR request failed reason="two words" detail={"a":1} err=boom\n    Error: boom\n        at x (y.js:1:1)\n',
    );
  });

  it("colours the level on a terminal and passes non-JSON through", () => {
    expect(prettyLine(JSON.stringify({ level: 40, time, msg: "m" }), true)).toContain("\x1b[33mWARN ");
    expect(prettyLine("not json")).toBe("not json\n");
  });
});
