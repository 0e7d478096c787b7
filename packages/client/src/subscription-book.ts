/**
 * The replay set: the subscriptions the server acknowledged, with their options, so that a new
 * connection can make them again. Bookkeeping only; the client sends the frames.
 */

import type { RequestFrame, RequestHandlers } from "./requests.js";
import type { SubscribeOptions } from "./types.js";

/** One subscription to make again on a new connection. */
export interface Replay {
  /** The `subscribe` frame to send (the request table adds the `requestId`). */
  readonly frame: RequestFrame;
  /** The server refused the replay: forget the subscription, unless it was made again since. */
  refused(): void;
}

/** The `subscribe` frame for `channel`; `includeSenderMetadata` goes out only when it was given. */
export function subscribeFrame(channel: string, options: SubscribeOptions): RequestFrame {
  return options.includeSenderMetadata === undefined
    ? { type: "subscribe", channel }
    : { type: "subscribe", channel, includeSenderMetadata: options.includeSenderMetadata };
}

/**
 * Which channels to resubscribe after a reconnect. A channel enters on the `ack` of its subscribe,
 * and leaves at once on unsubscribe; of several calls on one channel, only the latest one counts.
 */
export class SubscriptionBook {
  readonly #subscriptions = new Map<string, SubscribeOptions>();
  /**
   * Channel → sequence number of its latest subscribe/unsubscribe call, so that a late `ack` of an
   * older call cannot re-add a channel that was unsubscribed meanwhile.
   */
  readonly #lastChannelCall = new Map<string, number>();
  #callSeq = 0;

  /**
   * Records a `subscribe(channel, options)` call. Returns its request's handlers: the `ack` adds the
   * channel with `options` unless a later call on it came first.
   */
  subscribing(channel: string, options: SubscribeOptions): RequestHandlers {
    const seq = this.#markChannelCall(channel);
    return {
      ack: () => {
        if (this.#lastChannelCall.get(channel) === seq) this.#subscriptions.set(channel, options);
      },
      reject: () => {
        if (this.#lastChannelCall.get(channel) === seq && !this.#subscriptions.has(channel)) {
          this.#lastChannelCall.delete(channel);
        }
      },
    };
  }

  /**
   * Records an `unsubscribe(channel)` call: the channel leaves at once, so a reconnect before the
   * `ack` does not resubscribe it. Returns its request's handlers.
   */
  unsubscribing(channel: string): RequestHandlers {
    const seq = this.#markChannelCall(channel);
    this.#subscriptions.delete(channel);
    const forget = (): void => {
      if (this.#lastChannelCall.get(channel) === seq) this.#lastChannelCall.delete(channel);
    };
    return { ack: forget, reject: forget };
  }

  /**
   * The subscriptions to replay, in the order they entered the set. Lazy over the live set, so a
   * channel that leaves while the replay is being sent is skipped.
   */
  *replays(): Generator<Replay, void, undefined> {
    for (const [channel, options] of this.#subscriptions) {
      yield {
        frame: subscribeFrame(channel, options),
        refused: () => {
          if (this.#subscriptions.get(channel) === options) this.#subscriptions.delete(channel);
        },
      };
    }
  }

  /** Empties the set; calls still in flight keep their own rules. */
  clear(): void {
    this.#subscriptions.clear();
  }

  #markChannelCall(channel: string): number {
    this.#callSeq += 1;
    this.#lastChannelCall.set(channel, this.#callSeq);
    return this.#callSeq;
  }
}
