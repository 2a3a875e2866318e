import type { Logger } from "pino";
import type { AuditLog } from "../logging/audit";
import type {
  Conversation,
  ConversationStatus,
  ConversationStore,
  InboundKind,
  RecordInboundInput,
} from "../store/conversationStore";
import { auditFor, type Caller } from "./caller";
import type { InboundEffects } from "./inboundEffects";
import type { InboundSms } from "./inboundSms";
import { matchKeyword, matchSlot } from "./keywords";
import type { PatientRefFn } from "./patientRef";
import type { ServiceClock } from "./serviceClock";

type MatchedBy = "previous-message" | "latest-open" | "none";

/** Inbound SMS: which conversation it answers, what it means, and storing it exactly once. */
export class InboundReceiver {
  constructor(
    private readonly deps: {
      store: ConversationStore;
      patientRef: PatientRefFn;
      effects: InboundEffects;
      audit: AuditLog;
      log: Logger;
      clock: ServiceClock;
    },
  ) {}

  /**
   * Records an inbound SMS and what it means, exactly once. Returns "duplicate" for a
   * redelivery, which changes nothing and sends nothing.
   */
  async receive(
    sms: InboundSms,
    snsMessageId: string,
    caller: Caller,
  ): Promise<"created" | "duplicate"> {
    const patientRef = this.deps.patientRef(sms.originationNumber);
    const now = this.deps.clock.timestamp();
    const { conversation, matchedBy } = await this.findConversation(sms, patientRef, now);
    const keyword = matchKeyword(sms.messageBody);
    const slot =
      keyword === undefined && conversation && conversation.status !== "opted_out"
        ? matchSlot(sms.messageBody, conversation.slots.length)
        : undefined;
    const kind: InboundKind = keyword ?? (slot === undefined ? "reply" : "slot");

    const input: RecordInboundInput = {
      inbound: {
        inboundMessageId: sms.inboundMessageId,
        snsMessageId,
        ...(conversation ? { conversationId: conversation.conversationId } : {}),
        patientRef,
        kind,
        text: sms.messageBody,
        receivedAt: now,
        expiresAt: this.deps.clock.recordExpiresAt(),
      },
    };
    if (kind === "opt_out") input.optOut = { patientRef, optedOut: true };
    if (kind === "opt_in") input.optOut = { patientRef, optedOut: false };
    const effects = this.deps.effects.owedFor(kind, patientRef);
    if (effects.length > 0) input.effects = effects;
    if (conversation) {
      const status = nextStatus(conversation.status, kind);
      if (status !== conversation.status || slot !== undefined) {
        input.conversationUpdate = {
          conversationId: conversation.conversationId,
          status,
          ...(slot === undefined ? {} : { selectedSlot: slot }),
        };
      }
    }

    const outcome = await this.deps.store.recordInbound(input);
    const record = conversation
      ? `conversation:${conversation.conversationId}`
      : `patient:${patientRef}`;
    auditFor(
      this.deps.audit,
      caller,
      "sms.inbound.recorded",
      record,
      outcome === "created" ? "success" : "duplicate",
    );
    if (outcome === "duplicate") {
      // The first delivery may have stored the message and died (or lost the store's answer)
      // before its effects ran: they are still owed.
      if (effects.length > 0) {
        const owed = await this.deps.store.pendingEffects(sms.inboundMessageId);
        await this.deps.effects.dispatch(owed, sms, patientRef, caller);
      }
      return outcome;
    }
    const fields = {
      inboundMessageId: sms.inboundMessageId,
      snsMessageId,
      conversationId: conversation?.conversationId,
      kind,
      matchedBy,
    };
    if (caller.noteOutcome) caller.noteOutcome("inbound sms recorded", fields);
    else this.deps.log.info(fields, "inbound sms recorded");
    await this.deps.effects.dispatch(effects, sms, patientRef, caller);
    return outcome;
  }

  private async findConversation(
    sms: InboundSms,
    patientRef: string,
    now: string,
  ): Promise<{ conversation?: Conversation; matchedBy: MatchedBy }> {
    if (sms.previousPublishedMessageId) {
      const outbound = await this.deps.store.getOutbound(sms.previousPublishedMessageId);
      // The message must have gone to this patient: a forged id cannot attach a reply elsewhere.
      if (outbound?.conversationId && outbound.patientRef === patientRef) {
        const conversation = await this.deps.store.getConversation(outbound.conversationId);
        if (conversation) return { conversation, matchedBy: "previous-message" };
      }
    }
    const conversation = await this.deps.store.latestOpenConversation(patientRef, now);
    return conversation ? { conversation, matchedBy: "latest-open" } : { matchedBy: "none" };
  }
}

function nextStatus(current: ConversationStatus, kind: InboundKind): ConversationStatus {
  if (kind === "opt_out") return "opted_out";
  if (current === "opted_out") return current; // START re-subscribes the patient, not this thread
  if (kind === "reply" || kind === "slot") return "replied";
  return current;
}
