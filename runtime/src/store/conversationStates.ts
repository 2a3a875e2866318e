import type { ConversationStatus } from "./conversationStore";

/**
 * The guarded transitions of a conversation's status (docs/state-machines.md). Stores apply a
 * status change only when the current status is one it may come from, in the same conditional
 * write, so a reply decided from a stale read cannot reopen a conversation the patient stopped.
 *
 *   awaiting_reply --reply/slot--> replied --reply/slot--> replied
 *   awaiting_reply | replied --STOP--> opted_out   (final: START re-subscribes the patient, not
 *                                                  this conversation)
 */
const ALLOWED_FROM: Record<ConversationStatus, readonly ConversationStatus[]> = {
  awaiting_reply: [],
  replied: ["awaiting_reply", "replied"],
  opted_out: ["awaiting_reply", "replied", "opted_out"],
};

export function statusesAllowedBefore(next: ConversationStatus): readonly ConversationStatus[] {
  return ALLOWED_FROM[next];
}

/**
 * The order of opt-out decisions: the keyword received last decides, ties broken by its id so
 * two processes agree. A string that compares with `<`.
 */
export function optOutVersion(receivedAt: string, inboundMessageId = ""): string {
  return `${receivedAt}#${inboundMessageId}`;
}
