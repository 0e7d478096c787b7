/** Frame encoding (protocol.md §3–§4). */

import type { ClientFrame, ServerFrame } from "./frames.js";

/**
 * Serialises a frame to its JSON wire text. Fields whose value is `undefined` are omitted, so
 * optional fields may be left `undefined` instead of deleted. Encode once and send the same text to
 * every recipient (architecture.md, hot path). Like `JSON.stringify`, throws a `TypeError` if
 * `data` or metadata is not plain JSON (a cycle or a `bigint`); decoded frames never are.
 */
export function encodeFrame(frame: ServerFrame | ClientFrame): string {
  return JSON.stringify(frame);
}
