import { randomUUID } from "node:crypto";
import type { SendTextRequest, SmsGateway } from "./smsGateway";

/**
 * The gateway for local runs (`USE_MOCK_SMS=true`): nothing leaves the machine. It keeps the most
 * recent requests in memory, bounded, so a long-running local service does not grow without end.
 */
export class MockSmsGateway implements SmsGateway {
  readonly sent: (SendTextRequest & { messageId: string })[] = [];

  constructor(private readonly maxKept = 1000) {}

  async sendText(request: SendTextRequest): Promise<{ messageId: string }> {
    const messageId = randomUUID();
    this.sent.push({ ...request, messageId });
    if (this.sent.length > this.maxKept) this.sent.shift();
    return { messageId };
  }
}
