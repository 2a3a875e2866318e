import type { Caller } from "../conversations/conversationService";
import type { PatientRefFn } from "../conversations/patientRef";
import type { AuditLog } from "../logging/audit";
import { unavailable } from "../errors";
import { SmsGatewayError, type SmsGateway } from "../sms/smsGateway";
import type { ConversationStore } from "../store/conversationStore";

export interface OptOutStatus {
  optedOut: boolean;
  /** STOP recorded by this service (or mirrored from a refused send). */
  service: boolean;
  /** End User Messaging's opt-out list; absent in mock mode, which has none. */
  endUserMessaging?: boolean;
}

/**
 * Whether a patient may be texted. `ConversationService` has no public read for this yet, so it
 * reads the store's opt-out record by patient reference, as the send path does, and audits the
 * read like any other access to a patient's record.
 */
export class OptOutStatusReader {
  constructor(
    private readonly deps: {
      store: ConversationStore;
      patientRef: PatientRefFn;
      gateway: SmsGateway;
      audit: AuditLog;
      optOutListName: string;
    },
  ) {}

  async read(to: string, caller: Caller): Promise<OptOutStatus> {
    const patientRef = this.deps.patientRef(to);
    const [service, endUserMessaging] = await Promise.all([
      this.deps.store.isOptedOut(patientRef),
      this.endUserMessaging(to),
    ]);
    this.deps.audit.record({
      actor: caller.actor,
      action: "conversation.read",
      record: `patient:${patientRef}`,
      outcome: "success",
      requestId: caller.requestId,
      reason: "OPT_OUT_STATUS",
    });
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
      throw unavailable(
        "OPT_OUT_LIST_UNAVAILABLE",
        `End User Messaging's opt-out list could not be read (${awsCode})`,
        5,
      );
    }
  }
}
