import { ErrorCode, hasWildcard, type PublishFrame } from "@switchboard/protocol";
import type { Connection } from "../connection.js";
import { checkChannelAccess } from "./channel-checks.js";
import { chargeMessage } from "./quota.js";
import { ack, fail } from "./reply.js";

/** `publish`: every other subscribed socket gets `message`; counts against the app's quota. */
export function handlePublish(connection: Connection, frame: PublishFrame): void {
  const { channel, requestId } = frame;
  if (hasWildcard(channel)) {
    fail(connection, ErrorCode.InvalidChannel, "cannot publish to a pattern (unescaped *)", requestId);
    return;
  }
  if (!checkChannelAccess(connection, channel, "publish", requestId)) return;
  if (!chargeMessage(connection, requestId)) return;
  ack(connection, requestId);
  connection.app.hub.publish(
    { peerId: connection.peerId, peerMetadata: connection.identity.peerMetadata, connection },
    channel,
    frame.data,
  );
}
