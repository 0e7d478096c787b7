import { ErrorCode } from "@switchboard/protocol";
import { consumeMessage } from "../apps.js";
import type { Connection } from "../connection.js";
import { fail } from "./reply.js";

/**
 * Charges one message to the connection's app; when the period's allowance is spent, answers
 * `over_message_quota` (the socket stays open) and returns false.
 */
export function chargeMessage(connection: Connection, requestId: string | undefined): boolean {
  if (consumeMessage(connection.app)) return true;
  fail(
    connection,
    ErrorCode.OverMessageQuota,
    "the app's message allowance for this period is spent",
    requestId,
  );
  return false;
}
