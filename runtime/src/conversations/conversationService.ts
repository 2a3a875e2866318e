import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { AppError } from "../errors";
import type { AuditLog } from "../logging/audit";
import type { SentText, SmsSender } from "../sms/smsSender";
import type { ConversationStore } from "../store/conversationStore";
import {
  slotsMessage,
  validateBody,
  validateDestination,
  validateSlotText,
  type SendMessageRequest,
  type StartConversationRequest,
} from "./agentRequests";
import { auditFor, type Caller } from "./caller";
import { ConversationReads, type ConversationView } from "./conversationReads";
import { IdempotentRequests } from "./idempotentRequests";
import { InboundEffects } from "./inboundEffects";
import { InboundReceiver } from "./inboundReceiver";
import type { InboundSms } from "./inboundSms";
import type { PatientRefFn } from "./patientRef";
import { PatientSender } from "./patientSender";
import { mayHaveBeenSent } from "./sendFailures";
import { ServiceClock } from "./serviceClock";

// The types callers know this service by, from the modules that define them.
export type { Caller } from "./caller";
export type { SendMessageRequest, StartConversationRequest } from "./agentRequests";
export type { ConversationView } from "./conversationReads";

export interface ConversationServiceDeps {
  store: ConversationStore;
  sender: SmsSender;
  patientRef: PatientRefFn;
  audit: AuditLog;
  log: Logger;
  now: () => Date;
  conversationTtlDays: number;
  selfManagedOptOuts: boolean;
  keywordReplies: { help: string; stop: string; start: string };
}

export interface SentMessage extends Record<string, unknown> {
  messageId: string;
  parts: number;
  encoding: SentText["encoding"];
}

export interface StartedConversation extends Record<string, unknown> {
  conversationId: string;
  messageId: string;
}

/**
 * The conversation rules, as the routes and MCP tools call them: agent sends (run once per
 * idempotency key), reads, inbound messages and delivery events. The work is done by the modules
 * it builds; stores persist what they decide.
 */
export class ConversationService {
  private readonly clock: ServiceClock;
  private readonly patientSender: PatientSender;
  private readonly idempotent: IdempotentRequests;
  private readonly reads: ConversationReads;
  private readonly inbound: InboundReceiver;

  constructor(private readonly deps: ConversationServiceDeps) {
    const { store, audit, log, patientRef } = deps;
    const clock = new ServiceClock(deps.now, deps.conversationTtlDays);
    this.clock = clock;
    this.patientSender = new PatientSender({ store, sender: deps.sender, audit, log, clock });
    this.idempotent = new IdempotentRequests({ store, patientRef, log, clock });
    this.reads = new ConversationReads({ store, patientRef, audit });
    const effects = new InboundEffects({
      store,
      patientSender: this.patientSender,
      audit,
      log,
      selfManagedOptOuts: deps.selfManagedOptOuts,
      keywordReplies: deps.keywordReplies,
    });
    this.inbound = new InboundReceiver({ store, patientRef, effects, audit, log, clock });
  }

  // ---------------------------------------------------------------- outbound

  sendMessage(request: SendMessageRequest, caller: Caller): Promise<SentMessage> {
    validateDestination(request.to);
    validateBody(request.body);
    return this.idempotent.run(request.idempotencyKey, "messages", request, async (attempt) => {
      const sent = await this.patientSender.send({
        to: request.to,
        patientRef: this.deps.patientRef(request.to),
        body: request.body,
        caller,
        attempt,
      });
      return { messageId: sent.messageId, parts: sent.parts, encoding: sent.encoding };
    });
  }

  startConversation(
    request: StartConversationRequest,
    caller: Caller,
  ): Promise<StartedConversation> {
    validateDestination(request.to);
    validateSlotText(request.slots, request.intro);
    const body = slotsMessage(request.slots, request.intro);
    validateBody(body);
    return this.idempotent.run(
      request.idempotencyKey,
      "conversations",
      request,
      async (attempt) => {
        const conversationId = request.conversationId ?? randomUUID();
        const patientRef = this.deps.patientRef(request.to);
        const now = this.clock.timestamp();
        const created = await this.deps.store.createConversation({
          conversationId,
          patientRef,
          slots: request.slots,
          status: "awaiting_reply",
          createdAt: now,
          updatedAt: now,
          expiresAt: this.clock.recordExpiresAt(),
          creationToken: attempt.token,
        });
        if (!created) {
          throw new AppError(
            "CONVERSATION_EXISTS",
            "a conversation with that conversationId exists",
          );
        }
        const record = `conversation:${conversationId}`;
        auditFor(this.deps.audit, caller, "conversation.create", record, "success");
        let sent: SentText;
        try {
          // Recording the sent message also links it to the conversation, in one transaction.
          sent = await this.patientSender.send({
            to: request.to,
            patientRef,
            body,
            conversationId,
            caller,
            attempt,
          });
        } catch (err) {
          // A conversation nobody was invited to would only attract unrelated replies; but when
          // the text may have gone out, the patient may answer it, so it stays.
          if (!mayHaveBeenSent(err)) await this.deps.store.deleteConversation(conversationId);
          throw err;
        }
        return { conversationId, messageId: sent.messageId };
      },
    );
  }

  // ---------------------------------------------------------------- reads

  getConversation(conversationId: string, caller: Caller): Promise<ConversationView> {
    return this.reads.conversation(conversationId, caller);
  }

  getMessage(messageId: string, caller: Caller): Promise<Record<string, unknown>> {
    return this.reads.message(messageId, caller);
  }

  /** Whether this service holds a STOP from the number (End User Messaging's list aside). */
  isOptedOut(to: string, caller: Caller): Promise<boolean> {
    return this.reads.optedOut(to, caller);
  }

  // ---------------------------------------------------------------- inbound

  /**
   * Records an inbound SMS and what it means, exactly once. Returns "duplicate" for a
   * redelivery, which changes nothing and sends nothing.
   */
  receiveInbound(
    sms: InboundSms,
    snsMessageId: string,
    caller: Caller,
  ): Promise<"created" | "duplicate"> {
    return this.inbound.receive(sms, snsMessageId, caller);
  }

  // ---------------------------------------------------------------- events

  async recordDelivery(
    messageId: string,
    status: string,
    final: boolean,
    at: string,
    caller: Caller,
  ): Promise<boolean> {
    const known = await this.deps.store.updateDelivery(messageId, { status, final, at });
    auditFor(
      this.deps.audit,
      caller,
      "delivery.status.recorded",
      `message:${messageId}`,
      known ? "success" : "rejected",
      known ? undefined : "UNKNOWN_MESSAGE",
    );
    return known;
  }

  async recordRegistration(registrationId: string, status: string, at: string): Promise<void> {
    await this.deps.store.recordRegistrationEvent({ registrationId, status, at });
    this.deps.log.info({ registrationId, status, at }, "registration status changed");
  }
}
