import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Broker } from "./broker.js";
import {
  direct,
  message,
  presence,
  type Recording,
  sentinel,
  startRecording,
} from "./broker-conformance-helpers.js";
import type { Envelope } from "./types.js";

/**
 * What a conformance factory returns: brokers on one fresh backend (the nodes of one cluster)
 * and cleanup.
 */
export interface BrokerFixture {
  /** `n` brokers with distinct node ids on the same backend, not started yet. */
  instances(n: number): Promise<Broker[]>;
  /**
   * How many backend connections `broker` holds right now. Optional: when given, the suite checks
   * that `close` releases them all.
   */
  connectionsOf?(broker: Broker): Promise<number>;
  /** Closes every broker `instances` returned (close is idempotent) and frees the backend. */
  cleanup(): Promise<void>;
}

const APP = "app_conformance0001";
const OTHER_APP = "app_conformance0002";

/**
 * The contract every {@link Broker} implementation must pass (memory and Redis), as stated on the
 * interface in broker.ts. `factory` is called once per test. "Nothing arrived" is proven without
 * sleeping: the sender then sends a sentinel, and per-sender order means anything sent before it
 * would have arrived first.
 */
export function describeBroker(name: string, factory: () => Promise<BrokerFixture>): void {
  describe(`Broker conformance: ${name}`, () => {
    let fx: BrokerFixture;
    beforeEach(async () => {
      fx = await factory();
    });
    afterEach(async () => {
      await fx.cleanup();
    });

    /** `n` started nodes and their recordings. */
    const nodes = async (n: number): Promise<Array<{ broker: Broker; rec: Recording }>> => {
      const brokers = await fx.instances(n);
      return Promise.all(brokers.map(async (broker) => ({ broker, rec: await startRecording(broker) })));
    };

    it("delivers messages and presence to the other nodes with interest in that app and channel only", async () => {
      const [a, b, c] = await nodes(3);
      if (!a || !b || !c) throw new Error("unreachable");
      await b.broker.setInterest(APP, { channel: "room" }, true);
      await c.broker.setInterest(APP, { channel: "lobby" }, true);
      a.broker.publish(message(APP, "room", "m1"));
      a.broker.publish(message(OTHER_APP, "room", "other-app"));
      a.broker.publish(message(APP, "lobby", "m2"));
      a.broker.publish(presence(APP, "room", "p1"));
      a.broker.publish(message(APP, "nobody-here", "m3"));
      await sentinel(a.broker, b.broker, b.rec, "end-b");
      await sentinel(a.broker, c.broker, c.rec, "end-c");
      expect(b.rec.texts()).toEqual(["m1", "p1", "end-b"]);
      expect(c.rec.texts()).toEqual(["m2", "end-c"]);
      expect(b.rec.got.every((g) => g.from === a.broker.nodeId)).toBe(true);
    });

    it("never delivers a node its own envelopes", async () => {
      const [a, b] = await nodes(2);
      if (!a || !b) throw new Error("unreachable");
      await a.broker.setInterest(APP, { channel: "room" }, true);
      await b.broker.setInterest(APP, { channel: "room" }, true);
      a.broker.publish(message(APP, "room", "from-a"));
      a.broker.publish({ kind: "control", op: { type: "kick", appId: APP, peerId: "p" } });
      a.broker.sendTo([a.broker.nodeId], direct(APP, "p", "to-self"));
      await b.rec.untilText("control:kick");
      // b received a's envelopes, so the backend has passed them on; b's sentinel comes after.
      await sentinel(b.broker, a.broker, a.rec, "end-a");
      expect(a.rec.texts()).toEqual(["end-a"]);
      expect(b.rec.texts()).toEqual(["from-a", "control:kick"]);
    });

    it("treats setInterest as idempotent per key: one delivery per publish, one `off` ends it", async () => {
      const [a, b] = await nodes(2);
      if (!a || !b) throw new Error("unreachable");
      for (let i = 0; i < 3; i++) await b.broker.setInterest(APP, { channel: "room" }, true);
      a.broker.publish(message(APP, "room", "once"));
      await sentinel(a.broker, b.broker, b.rec, "s1");
      expect(b.rec.texts()).toEqual(["once", "s1"]);
      await b.broker.setInterest(APP, { channel: "room" }, false);
      a.broker.publish(message(APP, "room", "after-off"));
      await sentinel(a.broker, b.broker, b.rec, "s2");
      expect(b.rec.texts()).toEqual(["once", "s1", "s2"]);
      await b.broker.setInterest(APP, { channel: "room" }, false); // off twice: harmless
      await b.broker.setInterest(APP, { channel: "room" }, true);
      a.broker.publish(message(APP, "room", "back-on"));
      await sentinel(a.broker, b.broker, b.rec, "s3");
      expect(b.rec.texts()).toEqual(["once", "s1", "s2", "back-on", "s3"]);
    });

    it("pattern and app interest receive every channel of that app, once however many keys match", async () => {
      const [a, b] = await nodes(2);
      if (!a || !b) throw new Error("unreachable");
      await b.broker.setInterest(APP, { channel: "chat.1" }, true);
      await b.broker.setInterest(APP, { pattern: "chat.*" }, true);
      await b.broker.setInterest(APP, { app: true }, true);
      a.broker.publish(message(APP, "chat.1", "both"));
      a.broker.publish(message(APP, "chat.2", "wide"));
      a.broker.publish(message(OTHER_APP, "chat.1", "other-app"));
      await sentinel(a.broker, b.broker, b.rec, "s1");
      expect(b.rec.texts()).toEqual(["both", "wide", "s1"]);
      await b.broker.setInterest(APP, { app: true }, false);
      a.broker.publish(message(APP, "chat.3", "pattern-still-on"));
      await sentinel(a.broker, b.broker, b.rec, "s2");
      expect(b.rec.texts().slice(3)).toEqual(["pattern-still-on", "s2"]);
      await b.broker.setInterest(APP, { pattern: "chat.*" }, false);
      a.broker.publish(message(APP, "chat.3", "all-wide-off"));
      a.broker.publish(message(APP, "chat.1", "channel-still-on"));
      await sentinel(a.broker, b.broker, b.rec, "s3");
      expect(b.rec.texts().slice(5)).toEqual(["channel-still-on", "s3"]);
    });

    it("sendTo reaches exactly the named other nodes, once each, with no interest needed", async () => {
      const [a, b, c] = await nodes(3);
      if (!a || !b || !c) throw new Error("unreachable");
      a.broker.sendTo([b.broker.nodeId, b.broker.nodeId, "no-such-node"], direct(APP, "p", "to-b"));
      a.broker.sendTo([], direct(APP, "p", "to-none"));
      a.broker.sendTo([b.broker.nodeId, c.broker.nodeId, a.broker.nodeId], direct(APP, "p", "to-bc"));
      await sentinel(a.broker, b.broker, b.rec, "end-b");
      await sentinel(a.broker, c.broker, c.rec, "end-c");
      expect(b.rec.texts()).toEqual(["to-b", "to-bc", "end-b"]);
      expect(c.rec.texts()).toEqual(["to-bc", "end-c"]);
      expect(a.rec.texts()).toEqual([]);
    });

    it("control envelopes (and direct ones published) reach every other node, interest or not", async () => {
      const [a, b, c] = await nodes(3);
      if (!a || !b || !c) throw new Error("unreachable");
      const ops: Envelope[] = [
        { kind: "control", op: { type: "kick", appId: APP, peerId: "p" } },
        { kind: "control", op: { type: "revoke", appId: APP, keyId: "pk_live_x" } },
        { kind: "control", op: { type: "suspend", appId: APP } },
        direct(APP, "peer", "broadcast-direct"),
      ];
      for (const op of ops) a.broker.publish(op);
      for (const node of [b, c]) {
        await sentinel(a.broker, node.broker, node.rec, "end");
        expect(node.rec.got.map((g) => g.envelope)).toEqual([
          ...ops,
          direct("app_sentinel", "nobody", "end"),
        ]);
      }
    });

    it("keeps one sender's order across channels and kinds: 1,000 envelopes arrive in order", async () => {
      const [a, b] = await nodes(2);
      if (!a || !b) throw new Error("unreachable");
      await b.broker.setInterest(APP, { channel: "ordered" }, true);
      await b.broker.setInterest(APP, { channel: "second" }, true);
      const expected: string[] = [];
      for (let i = 0; i < 1_000; i++) {
        const text = String(i);
        expected.push(text);
        if (i % 10 === 3) a.broker.sendTo([b.broker.nodeId], direct(APP, "p", text));
        else if (i % 10 === 7) a.broker.publish(presence(APP, "second", text));
        else a.broker.publish(message(APP, "ordered", text));
      }
      await b.rec.until(() => b.rec.got.length >= 1_000, 10_000);
      expect(b.rec.texts()).toEqual(expected);
    });

    it("delivers frames and metadata byte-identical, whatever the bytes and names", async () => {
      const [a, b] = await nodes(2);
      if (!a || !b) throw new Error("unreachable");
      const every = Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256));
      const big = Buffer.alloc(1 << 20, 0xa5);
      const channel = "ch:é/日本*\\x";
      const sent: Envelope[] = [
        { kind: "message", appId: APP, channel, frame: every },
        { kind: "message", appId: APP, channel, frame: every, fromMetadata: Buffer.from('{"n":"é日"}') },
        { kind: "message", appId: APP, channel, frame: Buffer.alloc(0), fromMetadata: Buffer.alloc(0) },
        { kind: "message", appId: APP, channel, frame: big },
        { kind: "presence", appId: APP, channel, about: "peer:é", frame: every },
        { kind: "direct", appId: APP, to: "peer:日", frame: every },
        {
          kind: "control",
          op: {
            type: "node-info",
            info: {
              sentAtMs: 1,
              connections: 2,
              connectionsByApp: { [APP]: 2 },
              draining: false,
              version: "x",
            },
          },
        },
      ];
      await b.broker.setInterest(APP, { channel }, true);
      for (const envelope of sent) {
        if (envelope.kind === "direct") a.broker.sendTo([b.broker.nodeId], envelope);
        else a.broker.publish(envelope);
      }
      await b.rec.until(() => b.rec.got.length >= sent.length);
      const got = b.rec.got.map((g) => g.envelope);
      // Buffer.equals for the 1 MiB frame: a deep toEqual walks it element by element (seconds).
      const bigGot = got[3];
      expect(bigGot?.kind === "message" && bigGot.frame.equals(big)).toBe(true);
      expect(got.filter((_, i) => i !== 3)).toEqual(sent.filter((_, i) => i !== 3));
    });

    it("applies interest set before start when it starts", async () => {
      const [a, b] = await fx.instances(2);
      if (!a || !b) throw new Error("unreachable");
      const early = b.setInterest(APP, { channel: "early" }, true);
      const recA = await startRecording(a);
      const recB = await startRecording(b);
      await early;
      a.publish(message(APP, "early", "hello"));
      await sentinel(a, b, recB, "end");
      expect(recB.texts()).toEqual(["hello", "end"]);
      expect(recA.texts()).toEqual([]);
    });

    it("close stops delivery at once, is idempotent, and later calls neither throw nor send", async () => {
      const [a, b, c] = await nodes(3);
      if (!a || !b || !c) throw new Error("unreachable");
      await b.broker.setInterest(APP, { channel: "room" }, true);
      await c.broker.setInterest(APP, { channel: "room" }, true);
      await b.broker.close();
      await b.broker.close();
      a.broker.publish(message(APP, "room", "after-close"));
      a.broker.sendTo([b.broker.nodeId], direct(APP, "p", "to-closed"));
      expect(() => b.broker.publish(message(APP, "room", "from-closed"))).not.toThrow();
      expect(() => b.broker.sendTo([c.broker.nodeId], direct(APP, "p", "from-closed"))).not.toThrow();
      await b.broker.setInterest(APP, { channel: "x" }, true);
      await sentinel(a.broker, c.broker, c.rec, "end");
      expect(c.rec.texts()).toEqual(["after-close", "end"]);
      expect(b.rec.texts()).toEqual([]);
      if (fx.connectionsOf) {
        const connectionsOf = fx.connectionsOf.bind(fx);
        const deadline = Date.now() + 3_000;
        while ((await connectionsOf(b.broker)) > 0 && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        expect(await connectionsOf(b.broker)).toBe(0);
        expect(await connectionsOf(c.broker)).toBeGreaterThan(0);
      }
    });
  });
}
