import { type JsonObject, Limits } from "@switchboard/protocol";
import { type WireFrame, wireFrame } from "./encode.js";

/**
 * One peer as a presence list entry, serialised once when it joins a channel: every frame that
 * lists it (changes to all members, snapshots to each newcomer) is assembled from this string.
 */
export interface EncodedMember {
  readonly peerId: string;
  /** `{"peerId":…,"metadata":…}` (metadata omitted when the peer has none). */
  readonly json: string;
  /** UTF-8 bytes of {@link json}. */
  readonly bytes: number;
}

/** Serialises one member of a `joined` list. */
export function encodeMember(peerId: string, metadata: JsonObject | undefined): EncodedMember {
  const json = JSON.stringify(metadata === undefined ? { peerId } : { peerId, metadata });
  return { peerId, json, bytes: Buffer.byteLength(json, "utf8") };
}

/** Serialises one member of a `left` list (peerId only). */
export function encodeLeft(peerId: string): EncodedMember {
  const json = JSON.stringify({ peerId });
  return { peerId, json, bytes: Buffer.byteLength(json, "utf8") };
}

/**
 * The `presence` frames that carry `left` then `joined`, each at most `maxBytes` of payload
 * (default {@link Limits.maxFrameBytes}): one frame unless it would be larger. Entries keep their
 * order and every `left` entry comes before every `joined` one, so a client applying frames in order
 * and each frame's `left` before its `joined` ends with the same view as from one frame. Always at
 * least one frame (an empty snapshot is a frame too). A single entry never exceeds the bound: a peerId
 * is ≤ 128 bytes and peerMetadata ≤ 4 KiB.
 */
export function* presenceFrames(
  channel: string,
  left: Iterable<EncodedMember>,
  joined: Iterable<EncodedMember>,
  maxBytes: number = Limits.maxFrameBytes,
): Generator<WireFrame, void, undefined> {
  const head = `{"type":"presence","channel":${JSON.stringify(channel)},"joined":[`;
  // `{"type":"presence","channel":"…","joined":[],"left":[]}`: the payload with both lists empty.
  const emptyBytes = Buffer.byteLength(head, "utf8") + '],"left":[]}'.length;
  let leftPart: string[] = [];
  let joinedPart: string[] = [];
  let size = emptyBytes;
  let count = 0;
  const build = (): WireFrame => wireFrame(`${head}${joinedPart.join(",")}],"left":[${leftPart.join(",")}]}`);
  const add = (target: "left" | "joined", entry: EncodedMember): WireFrame | undefined => {
    let list = target === "left" ? leftPart : joinedPart;
    let full: WireFrame | undefined;
    // One comma between entries of the same list.
    if (count > 0 && size + entry.bytes + (list.length > 0 ? 1 : 0) > maxBytes) {
      full = build();
      leftPart = [];
      joinedPart = [];
      size = emptyBytes;
      count = 0;
      list = target === "left" ? leftPart : joinedPart;
    }
    size += entry.bytes + (list.length > 0 ? 1 : 0);
    list.push(entry.json);
    count += 1;
    return full;
  };
  for (const entry of left) {
    const full = add("left", entry);
    if (full) yield full;
  }
  for (const entry of joined) {
    const full = add("joined", entry);
    if (full) yield full;
  }
  yield build();
}
