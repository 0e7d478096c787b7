import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Subscription, Subscriptions } from "./subscriptions.js";

const sub = (channel: string, includeSenderMetadata = false): Subscription => ({
  channel,
  wildcard: false,
  includeSenderMetadata,
});

describe("Subscriptions", () => {
  it("holds one subscription, then more, in insertion order", () => {
    const subs = new Subscriptions();
    expect(subs.size).toBe(0);
    expect([...subs.values()]).toEqual([]);
    const a = sub("a");
    subs.set("a", a);
    expect(subs.size).toBe(1);
    expect(subs.get("a")).toBe(a);
    expect(subs.get("b")).toBeUndefined();
    subs.set("b", sub("b"));
    subs.set("c", sub("c"));
    expect([...subs.values()].map((s) => s.channel)).toEqual(["a", "b", "c"]);
    expect(subs.delete("b")).toBe(true);
    expect(subs.delete("b")).toBe(false);
    expect([...subs.values()].map((s) => s.channel)).toEqual(["a", "c"]);
    subs.clear();
    expect(subs.size).toBe(0);
    expect(subs.get("a")).toBeUndefined();
  });

  it("behaves like a Map for any sequence of operations", () => {
    const channel = fc.constantFrom("a", "b", "c", "d");
    const op = fc.oneof(
      fc.record({ kind: fc.constant("set" as const), channel, flag: fc.boolean() }),
      fc.record({ kind: fc.constant("delete" as const), channel }),
      fc.record({ kind: fc.constant("clear" as const) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const model = new Map<string, Subscription>();
        const subs = new Subscriptions();
        for (const o of ops) {
          if (o.kind === "set") {
            const s = sub(o.channel, o.flag);
            model.set(o.channel, s);
            subs.set(o.channel, s);
          } else if (o.kind === "delete") {
            expect(subs.delete(o.channel)).toBe(model.delete(o.channel));
          } else {
            model.clear();
            subs.clear();
          }
          expect(subs.size).toBe(model.size);
          expect([...subs.values()]).toEqual([...model.values()]);
          for (const c of ["a", "b", "c", "d"]) expect(subs.get(c)).toBe(model.get(c));
        }
      }),
    );
  });
});
