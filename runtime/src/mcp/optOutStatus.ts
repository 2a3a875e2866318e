import type { Caller } from "../conversations/caller";
import type { ConversationService } from "../conversations/conversationService";
import { AppError } from "../errors";
import { SmsGatewayError, type SmsGateway } from "../sms/smsGateway";

export interface OptOutStatus {
  optedOut: boolean;
  /** STOP recorded by this service (or mirrored from a refused send). */
  service: boolean;
  /** End User Messaging's opt-out list; absent in mock mode, which has none. */
  endUserMessaging?: boolean;
}

/**
 * Whether a patient may be texted: the service's own opt-out record (read and audited by the
 * service, as the send path checks it) and End User Messaging's opt-out list.
 */
export class OptOutStatusReader {
  constructor(
    private readonly deps: {
      service: ConversationService;
      gateway: SmsGateway;
      optOutListName: string;
    },
  ) {}

  async read(to: string, caller: Caller): Promise<OptOutStatus> {
    const [service, endUserMessaging] = await Promise.all([
      this.deps.service.isOptedOut(to, caller),
      this.endUserMessaging(to),
    ]);
    return {
      optedOut: service || endUserMessaging === true,
      service,
      ...(endUserMessaging === undefined ? {} : { endUserMessaging }),
    };
  }

  private async endUserMessaging(to: string): Promise<boolean | undefined> {
    const gateway = this.deps.gateway;
    if (!gateway.isOptedOut) return undefined;
    try {
      return await gateway.isOptedOut(to, this.deps.optOutListName);
    } catch (err) {
      const awsCode = err instanceof SmsGatewayError ? err.awsCode : "Error";
      throw new AppError(
        "OPT_OUT_LIST_UNAVAILABLE",
        `End User Messaging's opt-out list could not be read (${awsCode})`,
      );
    }
  }
}
