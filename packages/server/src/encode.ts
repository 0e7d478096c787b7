import { encodeFrame, type ServerFrame } from "@switchboard/protocol";

/**
 * One outgoing server frame as a complete WebSocket frame, built once and written as-is to every
 * recipient socket. Server→client frames are never masked and permessage-deflate is off
 * (create-server.ts), so the same bytes are valid on every connection.
 */
export interface WireFrame {
  /** FIN + text opcode, unmasked, 7/16/64-bit payload length, then the UTF-8 JSON payload. */
  readonly bytes: Buffer;
}

/** Length of the header of a frame whose payload is `payloadLength` bytes (RFC 6455 §5.2). */
function headerLength(payloadLength: number): number {
  return payloadLength < 126 ? 2 : payloadLength < 65_536 ? 4 : 10;
}

/** Writes the header of an unmasked final text frame of `payloadLength` bytes at the start of `bytes`. */
function writeHeader(bytes: Buffer, payloadLength: number): void {
  bytes[0] = 0x81; // FIN + text
  if (payloadLength < 126) {
    bytes[1] = payloadLength;
  } else if (payloadLength < 65_536) {
    bytes[1] = 126;
    bytes.writeUInt16BE(payloadLength, 2);
  } else {
    bytes[1] = 127;
    bytes.writeUInt32BE(Math.floor(payloadLength / 2 ** 32), 2);
    bytes.writeUInt32BE(payloadLength >>> 0, 6);
  }
}

/** Encodes a server frame once into the WebSocket frame written to every recipient. */
export function frameBytes(frame: ServerFrame): WireFrame {
  return wireFrame(encodeFrame(frame));
}

/**
 * Frames an already-serialised server frame (the JSON of a valid {@link ServerFrame}, e.g. a
 * presence frame assembled from pre-encoded members) into the WebSocket frame written to every recipient.
 */
export function wireFrame(json: string): WireFrame {
  const payloadLength = Buffer.byteLength(json, "utf8");
  const offset = headerLength(payloadLength);
  const bytes = Buffer.allocUnsafe(offset + payloadLength);
  writeHeader(bytes, payloadLength);
  bytes.write(json, offset, "utf8");
  return { bytes };
}

/** The payload (UTF-8 JSON) of a frame built by {@link frameBytes}. */
export function payloadOf(frame: WireFrame): Buffer {
  const length7 = frame.bytes[1] ?? 0;
  return frame.bytes.subarray(length7 < 126 ? 2 : length7 === 126 ? 4 : 10);
}

/**
 * The `message` frame `plain` with `"fromMetadata":<metadataJson>` added as its last key, built
 * by splicing bytes instead of serialising `data` again: a node receiving a message from another
 * node builds the stamped variant only when one of its subscribers asked for it, from the UTF-8
 * JSON bytes that came with it (never decoded). Equal to `frameBytes({ ...message, fromMetadata })`
 * because `fromMetadata` is the last key there too.
 */
export function stampFrame(plain: WireFrame, metadataJson: Buffer): WireFrame {
  const payload = payloadOf(plain);
  // Drop the closing `}` of the object; the rest is copied as bytes, never decoded.
  const head = payload.subarray(0, payload.length - 1);
  const payloadLength = head.length + STAMP_KEY.length + metadataJson.length + 1;
  const offset = headerLength(payloadLength);
  const bytes = Buffer.allocUnsafe(offset + payloadLength);
  writeHeader(bytes, payloadLength);
  let at = offset + head.copy(bytes, offset);
  at += STAMP_KEY.copy(bytes, at);
  at += metadataJson.copy(bytes, at);
  bytes[at] = 0x7d; // }
  return { bytes };
}

const STAMP_KEY = Buffer.from(',"fromMetadata":');
