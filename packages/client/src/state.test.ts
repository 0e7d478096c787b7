import { describe, expect, it } from "vitest";
import { type ClientState, canTransition, TRANSITIONS } from "./state.js";

const ALL: ClientState[] = ["idle", "connecting", "connected", "reconnecting", "closed"];

describe("state transitions", () => {
  it("allows exactly the documented transitions", () => {
    const allowed = ALL.flatMap((from) =>
      ALL.filter((to) => canTransition(from, to)).map((to) => `${from}→${to}`),
    );
    expect(allowed.sort()).toEqual(
      [
        "idle→connecting",
        "idle→closed",
        "connecting→connected",
        "connecting→reconnecting",
        "connecting→closed",
        "connected→reconnecting",
        "connected→closed",
        "reconnecting→connected",
        "reconnecting→closed",
      ].sort(),
    );
  });

  it("has no self-transitions and a final closed state", () => {
    for (const s of ALL) expect(canTransition(s, s)).toBe(false);
    expect(TRANSITIONS.closed).toEqual([]);
  });
});
