import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { AppError } from "../errors";
import type { AuditLog } from "../logging/audit";
import { toHttpError } from "../httpErrors";
import { CarrierRetry } from "../outbound/carrierRetry";
import { Consents, type ConsentAnswer, type ConsentRequest } from "../outbound/consents";
import type { OutboundQueue } from "../outbound/outboundQueue";
import { PatientSendExecutor } from "../outbound/patientSendExecutor";
import type { RateBudget } from "../outbound/ratePacer";
import {
  SendAcceptance,
  type AcceptedSend,
  type SendTimingRequest,
} from "../outbound/sendAcceptance";
import type { RegistrationState } from "../outbound/sendRuleInput";
import type { DecideSend, SendPolicy } from "../outbound/sendRules";
import { SEND_ID_PREFIX, SendViews, sendView } from "../outbound/sendViews";
import type { SmsSender } from "../sms/smsSender";
import type { ConversationStore } from "../store/conversationStore";
import type { OutboundStore } from "../store/outboundStore";
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
export type { ConsentRequest } from "../outbound/consents";

/** The outbound queue's parts (issue 12): where sends wait, the rules, the shared rate. */
export interface OutboundDeps {
  queue: OutboundQueue;
  decideSend: DecideSend;
  policy: SendPolicy;
  registration: RegistrationState & {
    onRegistrationStatus?(status: string, at: string): Promise<void>;
  };
  rate: RateBudget;
  /** The worker's lease; an inline send's safety-net message becomes visible after it. */
  leaseMs: number;
}

/** Up to this many items of a batch are accepted at once (each a few store writes). */
const BATCH_CONCURRENCY = 8;

export interface BatchItemResult extends Record<string, unknown> {
  index: number;
  status: AcceptedSend["status"] | "error";
}

export interface ConversationServiceDeps {
  store: ConversationStore & OutboundStore;
  outbound: OutboundDeps;
  sender: SmsSender;
  patientRef: PatientRefFn;
  audit: AuditLog;
  log: Logger;
  now: () => Date;
  conversationTtlDays: number;
  selfManagedOptOuts: boolean;
  keywordReplies: { help: string; stop: string; start: string };
}

/** `202` of `POST /v1/messages`: `parts` and `encoding` when the text left at once. */
export type SentMessage = AcceptedSend;

export interface StartedConversation extends Record<string, unknown> {
  conversationId: string;
  messageId: string;
  sendId: string;
  status: AcceptedSend["status"];
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
  private readonly acceptance: SendAcceptance;
  private readonly sends: SendViews;
  private readonly consents: Consents;
  private readonly carrierRetry: CarrierRetry;
  /** Runs claimed sends; the queue's worker uses the same one as the agent API. */
  readonly sendExecutor: PatientSendExecutor;

  constructor(private readonly deps: ConversationServiceDeps) {
    const { store, audit, log, patientRef, outbound, now } = deps;
    const clock = new ServiceClock(now, deps.conversationTtlDays);
    this.clock = clock;
    this.patientSender = new PatientSender({ store, sender: deps.sender, audit, log, clock });
    this.idempotent = new IdempotentRequests({ store, patientRef, log, clock });
    this.reads = new ConversationReads({ store, patientRef, audit });
    const recordTtlMs = deps.conversationTtlDays * 24 * 60 * 60 * 1000;
    const rules = {
      store,
      queue: outbound.queue,
      decideSend: outbound.decideSend,
      policy: outbound.policy,
      registration: outbound.registration,
      audit,
      log,
      now,
    };
    const executor = new PatientSendExecutor({
      ...rules,
      rate: outbound.rate,
      patientSender: this.patientSender,
      capHistoryTtlMs: Math.max(
        recordTtlMs,
        (outbound.policy.frequencyCap?.windowSeconds ?? 0) * 1000,
      ),
    });
    this.sendExecutor = executor;
    this.acceptance = new SendAcceptance({
      ...rules,
      executor,
      recordTtlMs,
      leaseMs: outbound.leaseMs,
    });
    this.sends = new SendViews({ store, queue: outbound.queue, audit, log, now });
    this.consents = new Consents({ store, patientRef, audit, log, now });
    this.carrierRetry = new CarrierRetry({ store, queue: outbound.queue, log, now });
    const effects = new InboundEffects({
      store,
      patientSender: this.patientSender,
      audit,
      log,
      selfManagedOptOuts: deps.selfManagedOptOuts,
      keywordReplies: deps.keywordReplies,
      consents: this.consents,
      now,
    });
    this.inbound = new InboundReceiver({ store, patientRef, effects, audit, log, clock });
  }

  // ---------------------------------------------------------------- outbound

  sendMessage(
    request: SendMessageRequest,
    caller: Caller,
    options: { maxRateWaitMs?: number } = {},
  ): Promise<SentMessage> {
    validateDestination(request.to);
    validateBody(request.body);
    this.acceptance.checkTiming(request);
    return this.idempotent.run(request.idempotencyKey, "messages", request, (attempt) =>
      this.acceptance.accept({
        to: request.to,
        body: request.body,
        patientRef: this.deps.patientRef(request.to),
        purpose: "message",
        timing: timingOf(request),
        caller,
        attempt,
        ...options,
      }),
    );
  }

  /**
   * Many sends at once, each on its own (its own idempotency key, verdict and answer): one that
   * fails does not fail the others. The answer lists every item by its index.
   */
  async sendBatch(
    requests: readonly SendMessageRequest[],
    caller: Caller,
  ): Promise<BatchItemResult[]> {
    const results: BatchItemResult[] = new Array(requests.length);
    let next = 0;
    const work = async (): Promise<void> => {
      for (let index = next++; index < requests.length; index = next++) {
        try {
          // No wait for the rate: what this second cannot take is queued at once, so a large
          // batch answers in store time, not in the number's send time.
          const accepted = await this.sendMessage(requests[index] as SendMessageRequest, caller, {
            maxRateWaitMs: 0,
          });
          results[index] = { index, ...accepted };
        } catch (err) {
          const { code, message, statusCode } = toHttpError(err);
          results[index] = { index, status: "error", code, message, httpStatus: statusCode };
        }
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(BATCH_CONCURRENCY, requests.length) }, () => work()),
    );
    return results;
  }

  startConversation(
    request: StartConversationRequest,
    caller: Caller,
  ): Promise<StartedConversation> {
    validateDestination(request.to);
    validateSlotText(request.slots, request.intro);
    const body = slotsMessage(request.slots, request.intro);
    validateBody(body);
    this.acceptance.checkTiming(request);
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
        let accepted: AcceptedSend;
        try {
          // Recording the sent message also links it to the conversation, in one transaction.
          accepted = await this.acceptance.accept({
            to: request.to,
            body,
            patientRef,
            purpose: "conversation",
            conversationId,
            timing: timingOf(request),
            caller,
            attempt,
          });
        } catch (err) {
          // A conversation nobody was invited to would only attract unrelated replies; but when
          // the text may have gone out, the patient may answer it, so it stays.
          if (!mayHaveBeenSent(err)) await this.deps.store.deleteConversation(conversationId);
          throw err;
        }
        const { parts: _parts, encoding: _encoding, ...answer } = accepted;
        return { conversationId, ...answer };
      },
    );
  }

  /** Cancels a waiting send by either id (`DELETE /v1/messages/:id`). */
  cancelSend(id: string, caller: Caller): Promise<Record<string, unknown>> {
    return this.sends.cancel(id, caller);
  }

  /** Records (`granted`) or revokes a patient's consent for a scope. */
  recordConsent(request: ConsentRequest, granted: boolean, caller: Caller): Promise<ConsentAnswer> {
    return this.consents.record(request, granted, caller);
  }

  // ---------------------------------------------------------------- reads

  getConversation(conversationId: string, caller: Caller): Promise<ConversationView> {
    return this.reads.conversation(conversationId, caller);
  }

  /** A message by End User Messaging's id or a send by its send id, with the send's state. */
  async getMessage(id: string, caller: Caller): Promise<Record<string, unknown>> {
    const send = await this.sends.find(id);
    const providerId = id.startsWith(SEND_ID_PREFIX) ? send?.providerMessageId : id;
    const message =
      providerId === undefined
        ? undefined
        : await this.reads.message(providerId, caller).catch((err: unknown) => {
            if (send && err instanceof AppError && err.code === "NOT_FOUND") return undefined;
            throw err;
          });
    if (!send) {
      if (message) return message;
      throw new AppError("NOT_FOUND", "no message with that id");
    }
    if (!message) {
      auditFor(this.deps.audit, caller, "conversation.read", `send:${send.sendId}`, "success");
    }
    return { ...message, ...sendView(send) };
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
    // A queued send's attempt: its final status ends the send or, for a temporary carrier
    // failure, queues it again. A failure here answers 5xx, so EventBridge redelivers.
    // Only for a message this service recorded sending: an event for an unknown id (another
    // stack's, or forged) costs no further read.
    if (final && known) await this.carrierRetry.onFinalDelivery(messageId, status, at);
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
    await this.deps.outbound.registration.onRegistrationStatus?.(status, at);
    this.deps.log.info({ registrationId, status, at }, "registration status changed");
  }
}

function timingOf(request: SendTimingRequest): SendTimingRequest {
  return {
    ...(request.sendAt !== undefined ? { sendAt: request.sendAt } : {}),
    ...(request.timeZone !== undefined ? { timeZone: request.timeZone } : {}),
    ...(request.consentScope !== undefined ? { consentScope: request.consentScope } : {}),
  };
}
