/**
 * sdk.md "DataChannel wrapper": FIFO sends that wait for `bufferedamountlow` above the cap, and a
 * bounded queue whose (max+1)-th pending send rejects with `DataChannelOverflowError {queued, cap}`.
 */
import { describe, expect, it } from "vitest";
import { DataChannel, DataChannelClosedError, DataChannelOverflowError } from "../../../src/index.js";
import { FakeDataChannel } from "./fake-rtc.js";

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("DataChannel", () => {
  it("sends at once below the cap, queues above it in order, and drains on bufferedamountlow", async () => {
    const raw = new FakeDataChannel("t", 1);
    const channel = new DataChannel(raw, { maxBufferedAmount: 10 });
    expect(raw.bufferedAmountLowThreshold).toBe(5);
    expect(raw.binaryType).toBe("arraybuffer");
    const early = channel.send("queued-before-open");
    raw.open();
    await early;
    expect(raw.sent).toEqual(["queued-before-open"]);

    raw.bufferedAmount = 8; // the browser still holds 8 bytes
    const order: string[] = [];
    const a = channel.send("aaaa").then(() => order.push("a"));
    const b = channel.send("b").then(() => order.push("b"));
    await flush();
    expect(raw.sent).toHaveLength(1);
    expect(channel.queued).toBe(2);
    raw.bufferedAmount = 2;
    raw.onbufferedamountlow?.({});
    await Promise.all([a, b]);
    expect(raw.sent).toEqual(["queued-before-open", "aaaa", "b"]);
    expect(order).toEqual(["a", "b"]);
  });

  it("the (max+1)-th pending send rejects with DataChannelOverflowError", async () => {
    const raw = new FakeDataChannel("t", 1);
    raw.open();
    raw.bufferedAmount = 100;
    const channel = new DataChannel(raw, { maxBufferedAmount: 10, maxQueuedSends: 3 });
    const pending = [channel.send("1"), channel.send("2"), channel.send("3")];
    const error = await channel.send("4").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataChannelOverflowError);
    expect(error).toMatchObject({ queued: 3, cap: 3, code: "data_channel_overflow" });
    raw.close();
    for (const p of pending) await expect(p).rejects.toBeInstanceOf(DataChannelClosedError);
    await expect(channel.send("5")).rejects.toBeInstanceOf(DataChannelClosedError);
  });

  it("delivers text as strings and binary as ArrayBuffers", () => {
    const raw = new FakeDataChannel("t", 1);
    const channel = new DataChannel(raw);
    const got: unknown[] = [];
    channel.on("message", ({ data }) => got.push(data));
    raw.onmessage?.({ data: "hi" });
    raw.onmessage?.({ data: new Uint8Array([1, 2]) });
    expect(got[0]).toBe("hi");
    expect(got[1]).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(got[1] as ArrayBuffer)]).toEqual([1, 2]);
  });
});
