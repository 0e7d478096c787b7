/**
 * The binary form of an {@link Envelope} on Redis: a compact header, then the frame's raw bytes
 * (never JSON with base64, which would cost a third more bytes and an encode and a decode per node).
 * The receiver slices the frame out of the reply buffer with `subarray`, without copying.
 *
 * Layout (integers big-endian):
 *
 * | bytes | field                                                                                  |
 * | ----- | -------------------------------------------------------------------------------------- |
 * | 1     | version, {@link CODEC_VERSION}                                                         |
 * | 1     | kind: 1 message, 2 direct, 3 presence, 4 control                                       |
 * | 1     | flags: bit 0 = `fromMetadata` present                                                  |
 * | 1     | length of `from` in bytes (a node id is at most 255 UTF-8 bytes)                       |
 * | 4     | `epoch`: random per broker instance, tells a restarted node from its former self       |
 * | 6     | `seq`: the sender's envelope counter (48 bits: 8 years at 1M envelopes/s)               |
 * | n     | `from`, UTF-8                                                                          |
 * | 2 + n | per kind, each as u16 length + UTF-8: `appId` then `channel` (message), `to` (direct), |
 * |       | `channel` and `about` (presence); nothing for control                                  |
 * | 4 + n | message with the flag: `fromMetadata`                                                  |
 * | rest  | the frame (message, direct, presence), or the `ControlOp` as UTF-8 JSON (control)      |
 */
import type { ControlOp, Envelope, NodeId } from "./types.js";

/** The version byte this codec writes and accepts. */
export const CODEC_VERSION = 1;

/** Who sent an envelope and its place in that sender's stream (see the layout). */
export interface EnvelopeOrigin {
  readonly from: NodeId;
  readonly epoch: number;
  readonly seq: number;
}

const KIND = { message: 1, direct: 2, presence: 3, control: 4 } as const;
const FIXED = 14;

function strings(envelope: Envelope): string[] {
  switch (envelope.kind) {
    case "message":
      return [envelope.appId, envelope.channel];
    case "direct":
      return [envelope.appId, envelope.to];
    case "presence":
      return [envelope.appId, envelope.channel, envelope.about];
    case "control":
      return [];
  }
}

/** Encodes `envelope` as sent by `origin`. Throws `RangeError` on a field too long for the layout. */
export function encodeEnvelope(envelope: Envelope, origin: EnvelopeOrigin): Buffer {
  const fields = strings(envelope);
  const body = envelope.kind === "control" ? Buffer.from(JSON.stringify(envelope.op)) : envelope.frame;
  const meta = envelope.kind === "message" ? envelope.fromMetadata : undefined;
  const fromLength = Buffer.byteLength(origin.from);
  if (fromLength > 255) throw new RangeError("envelope: node id longer than 255 bytes");
  let size = FIXED + fromLength + body.length + (meta === undefined ? 0 : 4 + meta.length);
  for (const field of fields) size += 2 + Buffer.byteLength(field);

  const out = Buffer.allocUnsafe(size);
  out[0] = CODEC_VERSION;
  out[1] = KIND[envelope.kind];
  out[2] = meta === undefined ? 0 : 1;
  out[3] = fromLength;
  out.writeUInt32BE(origin.epoch >>> 0, 4);
  out.writeUIntBE(origin.seq, 8, 6);
  let at = FIXED + out.write(origin.from, FIXED);
  for (const field of fields) {
    const length = out.write(field, at + 2);
    if (length > 0xffff) throw new RangeError("envelope: field longer than 65535 bytes");
    out.writeUInt16BE(length, at);
    at += 2 + length;
  }
  if (meta !== undefined) {
    out.writeUInt32BE(meta.length, at);
    at += 4 + meta.copy(out, at + 4);
  }
  body.copy(out, at);
  return out;
}

/** The origin and envelope read back from {@link encodeEnvelope}'s bytes. */
export interface DecodedEnvelope extends EnvelopeOrigin {
  readonly envelope: Envelope;
}

/**
 * Decodes bytes written by {@link encodeEnvelope}. Buffers in the result are views of `bytes`
 * (no copy). Throws `RangeError` on anything malformed (truncated, unknown version or kind).
 */
export function decodeEnvelope(bytes: Buffer): DecodedEnvelope {
  if (bytes.length < FIXED || bytes[0] !== CODEC_VERSION) throw new RangeError("envelope: bad header");
  const kind = bytes[1];
  const fromEnd = FIXED + (bytes[3] as number);
  if (fromEnd > bytes.length) throw new RangeError("envelope: truncated");
  const origin = {
    from: bytes.toString("utf8", FIXED, fromEnd),
    epoch: bytes.readUInt32BE(4),
    seq: bytes.readUIntBE(8, 6),
  };
  let at = fromEnd;
  const field = (): string => {
    if (at + 2 > bytes.length) throw new RangeError("envelope: truncated");
    const end = at + 2 + bytes.readUInt16BE(at);
    if (end > bytes.length) throw new RangeError("envelope: truncated");
    const text = bytes.toString("utf8", at + 2, end);
    at = end;
    return text;
  };
  switch (kind) {
    case KIND.message: {
      const appId = field();
      const channel = field();
      if ((bytes[2] as number) & 1) {
        if (at + 4 > bytes.length) throw new RangeError("envelope: truncated");
        const end = at + 4 + bytes.readUInt32BE(at);
        if (end > bytes.length) throw new RangeError("envelope: truncated");
        const fromMetadata = bytes.subarray(at + 4, end);
        return {
          ...origin,
          envelope: { kind: "message", appId, channel, frame: bytes.subarray(end), fromMetadata },
        };
      }
      return { ...origin, envelope: { kind: "message", appId, channel, frame: bytes.subarray(at) } };
    }
    case KIND.direct: {
      const appId = field();
      const to = field();
      return { ...origin, envelope: { kind: "direct", appId, to, frame: bytes.subarray(at) } };
    }
    case KIND.presence: {
      const appId = field();
      const channel = field();
      const about = field();
      return { ...origin, envelope: { kind: "presence", appId, channel, about, frame: bytes.subarray(at) } };
    }
    case KIND.control: {
      let op: ControlOp;
      try {
        op = JSON.parse(bytes.toString("utf8", at)) as ControlOp;
      } catch {
        throw new RangeError("envelope: control op is not JSON");
      }
      return { ...origin, envelope: { kind: "control", op } };
    }
    default:
      throw new RangeError(`envelope: unknown kind ${kind}`);
  }
}
