/** Recorders and envelope builders shared by the Broker conformance files. */
import type { Broker } from "./broker.js";
import type { Envelope, NodeId } from "./types.js";

/** What one node received, in order, and a way to wait for more. */
export interface Recording {
  readonly got: Array<{ readonly envelope: Envelope; readonly from: NodeId }>;
  /** The received envelopes' frame texts (`control`: `control:<type>`), in order. */
  texts(): string[];
  /** Resolves once `check()` holds; rejects after `timeoutMs`. */
  until(check: () => boolean, timeoutMs?: number): Promise<void>;
  /** Resolves once an envelope whose text is `text` has arrived. */
  untilText(text: string, timeoutMs?: number): Promise<void>;
}

function textOf(envelope: Envelope): string {
  return envelope.kind === "control" ? `control:${envelope.op.type}` : envelope.frame.toString("utf8");
}

/** Starts `broker` with a handler that records everything it receives. */
export async function startRecording(broker: Broker): Promise<Recording> {
  const got: Array<{ envelope: Envelope; from: NodeId }> = [];
  await broker.start((envelope, from) => {
    got.push({ envelope, from });
  });
  const until = async (check: () => boolean, timeoutMs = 5_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) {
        throw new Error(`${broker.nodeId}: condition not met within ${timeoutMs} ms; got ${got.length}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  return {
    got,
    texts: () => got.map((g) => textOf(g.envelope)),
    until,
    untilText: (text, timeoutMs) => until(() => got.some((g) => textOf(g.envelope) === text), timeoutMs),
  };
}

/** A `message` envelope whose frame is the UTF-8 of `text`. */
export function message(appId: string, channel: string, text: string): Envelope {
  return { kind: "message", appId, channel, frame: Buffer.from(text) };
}

/** A `presence` envelope whose frame is the UTF-8 of `text`. */
export function presence(appId: string, channel: string, text: string, about = "p1"): Envelope {
  return { kind: "presence", appId, channel, about, frame: Buffer.from(text) };
}

/** A `direct` envelope whose frame is the UTF-8 of `text`. */
export function direct(appId: string, to: string, text: string): Envelope {
  return { kind: "direct", appId, to, frame: Buffer.from(text) };
}

/**
 * Marks a point in `from`'s stream to `to`: resolves once `to` has received a direct envelope
 * sent after everything `from` sent before. Per-sender order then proves that an envelope `from`
 * sent earlier and `to` has not received was never going to arrive.
 */
export async function sentinel(from: Broker, to: Broker, recording: Recording, label: string): Promise<void> {
  from.sendTo([to.nodeId], direct("app_sentinel", "nobody", label));
  await recording.untilText(label);
}
