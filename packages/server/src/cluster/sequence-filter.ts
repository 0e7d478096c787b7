/**
 * Drops the second copy of an envelope. With Redis a node can receive one publish twice: once as a
 * `message` (its channel subscription) and once as a `pmessage` (its app-wide pattern). Redis sends
 * both copies of one publish back to back, and the copies of one sender always arrive in the order
 * sent (one connection in, one connection out), so "sequence number not above the last one seen
 * from that sender" is exactly "already delivered". The epoch tells a restarted sender (counting
 * from 1 again) from its former self.
 */
import type { EnvelopeOrigin } from "./envelope-codec.js";
import type { NodeId } from "./types.js";

/** See the module comment. */
export interface SequenceFilter {
  /** True the first time `origin`'s (epoch, seq) is seen; false for a repeat or an older one. */
  accept(origin: EnvelopeOrigin): boolean;
}

/** An empty {@link SequenceFilter}: one small record per sender node. */
export function createSequenceFilter(): SequenceFilter {
  const last = new Map<NodeId, { epoch: number; seq: number }>();
  return {
    accept({ from, epoch, seq }) {
      const seen = last.get(from);
      if (seen === undefined || seen.epoch !== epoch) {
        last.set(from, { epoch, seq });
        return true;
      }
      if (seq <= seen.seq) return false;
      seen.seq = seq;
      return true;
    },
  };
}
