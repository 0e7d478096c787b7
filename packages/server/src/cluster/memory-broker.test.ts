import { describe, expect, it } from "vitest";
import type { Broker } from "./broker.js";
import { describeBroker } from "./broker-conformance.js";
import { createMemoryBroker, createMemoryBus } from "./memory-broker.js";

describeBroker("memory", async () => {
  const bus = createMemoryBus();
  const made: Broker[] = [];
  return {
    async instances(n) {
      const brokers = Array.from({ length: n }, (_, i) =>
        createMemoryBroker({ bus, nodeId: `node-${made.length + i}` }),
      );
      made.push(...brokers);
      return brokers;
    },
    async connectionsOf(broker) {
      return bus.nodes.has(broker.nodeId) ? 1 : 0;
    },
    async cleanup() {
      await Promise.all(made.map((broker) => broker.close()));
    },
  };
});

describe("memory broker", () => {
  it("runs alone on a bus of its own (single-node mode): publishing reaches nobody and costs nothing", async () => {
    const broker = createMemoryBroker();
    const got: unknown[] = [];
    await broker.start((envelope) => got.push(envelope));
    await broker.setInterest("app_x", { channel: "c" }, true);
    broker.publish({ kind: "message", appId: "app_x", channel: "c", frame: Buffer.from("x") });
    broker.sendTo(["elsewhere"], { kind: "direct", appId: "app_x", to: "p", frame: Buffer.from("x") });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(got).toEqual([]);
    await broker.close();
  });

  it("hands every receiver the publisher's very Buffer (no copy in process)", async () => {
    const bus = createMemoryBus();
    const a = createMemoryBroker({ bus, nodeId: "a" });
    const b = createMemoryBroker({ bus, nodeId: "b" });
    const frames: Buffer[] = [];
    await a.start(() => {});
    await b.start((envelope) => {
      if (envelope.kind === "message") frames.push(envelope.frame);
    });
    await b.setInterest("app_x", { channel: "c" }, true);
    const frame = Buffer.from("same bytes");
    a.publish({ kind: "message", appId: "app_x", channel: "c", frame });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(frames[0]).toBe(frame);
    await Promise.all([a.close(), b.close()]);
  });

  it("refuses a node id already on the bus", () => {
    const bus = createMemoryBus();
    createMemoryBroker({ bus, nodeId: "a" });
    expect(() => createMemoryBroker({ bus, nodeId: "a" })).toThrow(TypeError);
  });
});
