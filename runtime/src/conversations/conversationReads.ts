import { AppError } from "../errors";
import type { AuditLog } from "../logging/audit";
import type { ConversationStatus, ConversationStore } from "../store/conversationStore";
import { validateDestination } from "./agentRequests";
import { auditFor, type Caller } from "./caller";
import type { PatientRefFn } from "./patientRef";

export interface ConversationView {
  conversationId: string;
  status: ConversationStatus;
  selectedSlot?: { number: number; label: string };
  slots: string[];
  replies: { receivedAt: string; text: string }[];
  delivery: { status: string; final: boolean };
  createdAt: string;
}

/** Reads of patients' records for agents. Every read is access to PHI: each is audited. */
export class ConversationReads {
  constructor(
    private readonly deps: { store: ConversationStore; patientRef: PatientRefFn; audit: AuditLog },
  ) {}

  async conversation(conversationId: string, caller: Caller): Promise<ConversationView> {
    const store = this.deps.store;
    const record = `conversation:${conversationId}`;
    const conversation = await store.getConversation(conversationId);
    if (!conversation) {
      auditFor(this.deps.audit, caller, "conversation.read", record, "rejected", "NOT_FOUND");
      throw new AppError("NOT_FOUND", "no conversation with that id");
    }
    const [replies, outbound] = await Promise.all([
      store.listReplies(conversationId),
      conversation.lastMessageId
        ? store.getOutbound(conversation.lastMessageId)
        : Promise.resolve(undefined),
    ]);
    auditFor(this.deps.audit, caller, "conversation.read", record, "success");
    const slot = conversation.selectedSlot;
    return {
      conversationId,
      status: conversation.status,
      ...(slot === undefined
        ? {}
        : { selectedSlot: { number: slot, label: conversation.slots[slot - 1] ?? "" } }),
      slots: [...conversation.slots],
      replies: replies.map((r) => ({ receivedAt: r.receivedAt, text: r.text })),
      delivery: outbound
        ? { status: outbound.delivery.status, final: outbound.delivery.final }
        : { status: "PENDING", final: false },
      createdAt: conversation.createdAt,
    };
  }

  async message(messageId: string, caller: Caller): Promise<Record<string, unknown>> {
    const outbound = await this.deps.store.getOutbound(messageId);
    if (!outbound) throw new AppError("NOT_FOUND", "no message with that id");
    auditFor(this.deps.audit, caller, "conversation.read", `message:${messageId}`, "success");
    return {
      messageId,
      ...(outbound.conversationId ? { conversationId: outbound.conversationId } : {}),
      parts: outbound.parts,
      encoding: outbound.encoding,
      sentAt: outbound.sentAt,
      delivery: { status: outbound.delivery.status, final: outbound.delivery.final },
    };
  }

  /** Whether this service holds a STOP from the patient (the record the send path checks). */
  async optedOut(to: string, caller: Caller): Promise<boolean> {
    validateDestination(to);
    const patientRef = this.deps.patientRef(to);
    const optedOut = await this.deps.store.isOptedOut(patientRef);
    auditFor(this.deps.audit, caller, "optout.read", `patient:${patientRef}`, "success");
    return optedOut;
  }
}
