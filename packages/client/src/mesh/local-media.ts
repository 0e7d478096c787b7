/**
 * The local media a `Peer` sends to every remote: streams, their tracks and their metadata. It
 * outlives connections (reconnects re-attach it) and is what the `streams` signal announces.
 */

import type { JsonObject } from "../types.js";
import type { MediaStreamLike, MediaStreamTrackLike } from "./rtc.js";
import type { StreamAnnouncement } from "./signals.js";

/** One local stream and the tracks of it being sent. */
export interface LocalStream {
  readonly stream: MediaStreamLike;
  metadata: JsonObject;
  readonly tracks: Set<MediaStreamTrackLike>;
}

/** Stream metadata travels in a signal frame, next to SDP: keep it small. */
export const MAX_STREAM_METADATA_BYTES = 4096;

/** Local streams keyed by the stream object; a track belongs to at most one stream here. */
export class LocalMedia {
  readonly #streams = new Map<MediaStreamLike, LocalStream>();

  /** Adds `stream` with every track it has now (later tracks of it need `addTrack`). */
  addStream(stream: MediaStreamLike, metadata: JsonObject): void {
    const entry = this.#entry(stream, metadata);
    for (const track of stream.getTracks()) this.#adopt(entry, track);
  }

  addTrack(track: MediaStreamTrackLike, stream: MediaStreamLike, metadata: JsonObject | undefined): void {
    this.#adopt(this.#entry(stream, metadata), track);
  }

  /** True when the stream was being sent. */
  removeStream(stream: MediaStreamLike): boolean {
    return this.#streams.delete(stream);
  }

  /** True when the track was being sent; a stream left without tracks is dropped. */
  removeTrack(track: MediaStreamTrackLike): boolean {
    const entry = this.streamOf(track);
    if (entry === undefined) return false;
    entry.tracks.delete(track);
    if (entry.tracks.size === 0) this.#streams.delete(entry.stream);
    return true;
  }

  /** Swaps `oldTrack` for `newTrack` in its stream; false when `oldTrack` is not being sent. */
  replaceTrack(oldTrack: MediaStreamTrackLike, newTrack: MediaStreamTrackLike): boolean {
    const entry = this.streamOf(oldTrack);
    if (entry === undefined) return false;
    entry.tracks.delete(oldTrack);
    entry.tracks.add(newTrack);
    return true;
  }

  streamOf(track: MediaStreamTrackLike): LocalStream | undefined {
    for (const entry of this.#streams.values()) if (entry.tracks.has(track)) return entry;
    return undefined;
  }

  /** Every (stream, track) pair being sent. */
  *pairs(): Generator<{ stream: MediaStreamLike; track: MediaStreamTrackLike }> {
    for (const entry of this.#streams.values()) {
      for (const track of entry.tracks) yield { stream: entry.stream, track };
    }
  }

  /** Every track being sent. */
  tracks(): Set<MediaStreamTrackLike> {
    const all = new Set<MediaStreamTrackLike>();
    for (const { track } of this.pairs()) all.add(track);
    return all;
  }

  /** What the `streams` signal carries: stream ids (the msid receivers see), metadata, track ids. */
  announcement(): StreamAnnouncement[] {
    return [...this.#streams.values()].map((e) => ({
      id: e.stream.id,
      metadata: e.metadata,
      tracks: [...e.tracks].map((t) => t.id),
    }));
  }

  #entry(stream: MediaStreamLike, metadata: JsonObject | undefined): LocalStream {
    let entry = this.#streams.get(stream);
    if (entry === undefined) {
      entry = { stream, metadata: metadata ?? {}, tracks: new Set() };
      this.#streams.set(stream, entry);
    } else if (metadata !== undefined) entry.metadata = metadata;
    return entry;
  }

  #adopt(entry: LocalStream, track: MediaStreamTrackLike): void {
    const current = this.streamOf(track);
    if (current !== undefined && current !== entry) this.removeTrack(track);
    entry.tracks.add(track);
  }
}

/**
 * `null` when `metadata` is acceptable stream metadata (a JSON object of at most
 * {@link MAX_STREAM_METADATA_BYTES}); else why not.
 */
export function streamMetadataProblem(metadata: unknown): string | null {
  if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) {
    return "stream metadata must be a JSON object";
  }
  let text: string;
  try {
    text = JSON.stringify(metadata);
  } catch {
    return "stream metadata must be JSON-serialisable";
  }
  return new TextEncoder().encode(text).byteLength > MAX_STREAM_METADATA_BYTES
    ? `stream metadata must be at most ${MAX_STREAM_METADATA_BYTES} bytes of JSON`
    : null;
}
