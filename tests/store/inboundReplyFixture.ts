import type { InboundMessage } from "../../runtime/src/store/conversationStore";

/** A stored inbound reply with id `id`, the same apart from its ids every time. */
export function inboundReply(id: string): InboundMessage {
  return {
    inboundMessageId: id,
    snsMessageId: `sns-${id}`,
    patientRef: "p",
    kind: "reply",
    text: "1",
    receivedAt: "2026-11-25T12:00:00.000Z",
    expiresAt: "2026-12-25T12:00:00.000Z",
  };
}
