import { randomUUID } from "node:crypto";
import type { SendTextRequest, SmsGateway } from "./smsGateway";

export type MockSentText = SendTextRequest & { messageId: string; sentAt: string };

/** One text in the mock outbox, as the local loop shows it. */
export interface OutboxEntry {
  messageId: string;
  to: string;
  body: string;
  conversationId?: string;
  sentAt: string;
}

/**
 * The gateway for local runs (`USE_MOCK_SMS=true`): nothing leaves the machine. It keeps the most
 * recent requests in memory, bounded, so a long-running local service does not grow without end.
 */
export class MockSmsGateway implements SmsGateway {
  readonly sent: MockSentText[] = [];

  constructor(private readonly maxKept = 1000) {}

  async sendText(request: SendTextRequest): Promise<{ messageId: string }> {
    const messageId = randomUUID();
    this.sent.push({ ...request, messageId, sentAt: new Date().toISOString() });
    if (this.sent.length > this.maxKept) this.sent.shift();
    return { messageId };
  }

  /** What would have been sent, oldest first. */
  outbox(): OutboxEntry[] {
    return this.sent.map((s) => ({
      messageId: s.messageId,
      to: s.destinationPhoneNumber,
      body: s.body,
      ...(s.context.conversationId ? { conversationId: s.context.conversationId } : {}),
      sentAt: s.sentAt,
    }));
  }

  /** The most recent text of a conversation, or to a number. */
  latestTo(
    match: { conversationId: string } | { destinationPhoneNumber: string },
  ): MockSentText | undefined {
    for (let i = this.sent.length - 1; i >= 0; i--) {
      const s = this.sent[i] as MockSentText;
      if (
        "conversationId" in match
          ? s.context.conversationId === match.conversationId
          : s.destinationPhoneNumber === match.destinationPhoneNumber
      )
        return s;
    }
    return undefined;
  }
}
