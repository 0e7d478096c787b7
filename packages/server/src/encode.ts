import { encodeFrame, type ServerFrame } from "@switchboard/protocol";

/** Encodes a server frame once into the bytes written to every recipient. */
export function frameBytes(frame: ServerFrame): Buffer {
  return Buffer.from(encodeFrame(frame), "utf8");
}
