import { ErrorCode, hasWildcard, Limits, type SubscribeFrame } from "@switchboard/protocol";
import type { Connection } from "../connection.js";
import { checkChannelAccess } from "./channel-checks.js";
import { ack, fail } from "./reply.js";

/**
 * `subscribe`: ack, then (concrete channels, presence action) one presence snapshot. Subscribing
 * again only updates `includeSenderMetadata` and acks; a pattern subscribes to every matching channel.
 */
export function handleSubscribe(connection: Connection, frame: SubscribeFrame): void {
  const { channel, requestId } = frame;
  if (!checkChannelAccess(connection, channel, "subscribe", requestId)) return;
  const includeSenderMetadata = frame.includeSenderMetadata === true;
  const existing = connection.subscriptions.get(channel);
  if (existing) {
    existing.includeSenderMetadata = includeSenderMetadata;
    ack(connection, requestId);
    return;
  }
  if (connection.subscriptions.size >= Limits.maxSubscriptions) {
    fail(
      connection,
      ErrorCode.ChannelLimitExceeded,
      `at most ${Limits.maxSubscriptions} subscriptions per connection`,
      requestId,
    );
    return;
  }
  const wildcard = hasWildcard(channel);
  if (wildcard && !connection.app.hub.acceptsPattern(channel)) {
    fail(
      connection,
      ErrorCode.ChannelLimitExceeded,
      `at most ${Limits.maxWildcardPatternsPerBucket} distinct wildcard patterns per app under one literal prefix`,
      requestId,
    );
    return;
  }
  ack(connection, requestId);
  connection.app.hub.subscribe(connection, {
    channel,
    wildcard,
    includeSenderMetadata,
  });
}
