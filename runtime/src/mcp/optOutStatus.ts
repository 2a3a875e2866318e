import type { Caller } from "../conversations/conversationService";
import type { PatientRefFn } from "../conversations/patientRef";
import type { AuditLog } from "../logging/audit";
import type { SmsGateway } from "../sms/smsGateway";
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
    },
  ) {}

  async read(to: string, caller: Caller): Promise<OptOutStatus> {
    const patientRef = this.deps.patientRef(to);
    const [service, endUserMessaging] = await Promise.all([
      this.deps.store.isOptedOut(patientRef),
      this.deps.gateway.isOptedOut ? this.deps.gateway.isOptedOut(to) : Promise.resolve(undefined),
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
}
