import type { Logger } from "pino";
import { AppError } from "../errors";
import type { AuditLog } from "../logging/audit";
import { SmsGatewayError } from "../sms/smsGateway";
import type { SendTextOptions, SentText, SmsSender } from "../sms/smsSender";
import type { ConversationStore } from "../store/conversationStore";
import { auditFor, type Caller } from "./caller";
import type { Attempt } from "./idempotentRequests";
import { gatewayFailure, sentNotRecorded } from "./sendFailures";
import type { ServiceClock } from "./serviceClock";

export interface SendToPatientOptions {
  to: string;
  patientRef: string;
  body: string;
  /** Links the sent message to this conversation, in the same store write. */
  conversationId?: string;
  caller: Caller;
  /** Sends even to an opted-out patient: only the STOP confirmation may. */
  ignoreOptOut?: boolean;
  /** The agent request this send belongs to; marked once the text has left. */
  attempt?: Attempt;
  /** The outbound queue's send record, named in the Context so delivery events can find it. */
  sendId?: string;
  /** Pacing and throttling for this send (the queue's executor paces it itself). */
  sendOptions?: SendTextOptions;
}

/**
 * One text to one patient: the opt-out check right before the send, the send, and the record of
 * it; each outcome audited. Gateway failures become the agent's error, and an opt-out End User
 * Messaging knows of is mirrored into the store.
 */
export class PatientSender {
  constructor(
    private readonly deps: {
      store: ConversationStore;
      sender: SmsSender;
      audit: AuditLog;
      log: Logger;
      clock: ServiceClock;
    },
  ) {}

  async send(options: SendToPatientOptions): Promise<SentText> {
    const { to, patientRef, body, conversationId, caller } = options;
    const record = conversationId ? `conversation:${conversationId}` : `patient:${patientRef}`;
    // Read right before the send, never earlier: a STOP stored meanwhile must win.
    if (!options.ignoreOptOut && (await this.deps.store.isOptedOut(patientRef))) {
      auditFor(this.deps.audit, caller, "sms.send", record, "denied", "PATIENT_OPTED_OUT");
      throw new AppError(
        "PATIENT_OPTED_OUT",
        "the patient opted out (STOP); they must reply START first",
      );
    }
    let sent: SentText;
    try {
      // Context reaches delivery events and their logs, so it carries opaque ids only.
      sent = await this.deps.sender.send(
        to,
        body,
        {
          ...(conversationId ? { conversationId } : {}),
          ...(options.sendId ? { sendId: options.sendId } : {}),
          requestId: caller.requestId,
        },
        options.sendOptions,
      );
    } catch (err) {
      throw await this.sendFailure(err, patientRef, caller, record);
    }
    if (options.attempt) {
      options.attempt.sent = true;
      options.attempt.messageId = sent.messageId;
    }
    const messageRecord = `message:${sent.messageId}`;
    try {
      await this.recordSent(sent, patientRef, conversationId);
    } catch (err) {
      auditFor(this.deps.audit, caller, "sms.send", messageRecord, "error", "SENT_NOT_RECORDED");
      this.deps.log.error(
        { err, messageId: sent.messageId, conversationId },
        "sms sent but not recorded",
      );
      throw sentNotRecorded();
    }
    auditFor(this.deps.audit, caller, "sms.send", messageRecord, "success");
    this.deps.log.info(
      {
        messageId: sent.messageId,
        conversationId,
        parts: sent.parts,
        encoding: sent.encoding,
        throttleRetries: sent.throttleRetries,
      },
      "sms sent",
    );
    return sent;
  }

  private recordSent(
    sent: SentText,
    patientRef: string,
    conversationId: string | undefined,
  ): Promise<void> {
    const clock = this.deps.clock;
    return this.deps.store.recordOutbound({
      messageId: sent.messageId,
      ...(conversationId ? { conversationId } : {}),
      patientRef,
      parts: sent.parts,
      encoding: sent.encoding,
      sentAt: clock.timestamp(),
      delivery: { status: "SENT", final: false, at: clock.timestamp() },
      expiresAt: clock.recordExpiresAt(),
    });
  }

  private async sendFailure(
    err: unknown,
    patientRef: string,
    caller: Caller,
    record: string,
  ): Promise<unknown> {
    if (!(err instanceof SmsGatewayError)) return err;
    const outcome = err.kind === "unknown" ? "error" : "rejected";
    auditFor(this.deps.audit, caller, "sms.send", record, outcome, err.awsCode);
    this.deps.log.warn({ kind: err.kind, awsCode: err.awsCode }, "sms send failed");
    if (err.kind === "opted_out") {
      // End User Messaging's opt-out list knows better than we do: mirror it.
      await this.deps.store.setOptOut(patientRef, true, this.deps.clock.timestamp());
      auditFor(
        this.deps.audit,
        caller,
        "optout.recorded",
        `patient:${patientRef}`,
        "success",
        "DESTINATION_OPTED_OUT",
      );
    }
    return gatewayFailure(err);
  }
}
