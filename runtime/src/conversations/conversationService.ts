import { createHash, randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { AppError, badRequest, conflict, notFound, unavailable } from "../errors";
import type { AuditLog } from "../logging/audit";
import { isE164PhoneNumber } from "../sms/phoneNumber";
import { SmsGatewayError } from "../sms/smsGateway";
import type { SentText, SmsSender } from "../sms/smsSender";
import type {
  Conversation,
  ConversationStatus,
  ConversationStore,
  InboundKind,
  PendingEffect,
  RecordInboundInput,
} from "../store/conversationStore";
import type { InboundSms } from "./inboundSms";
import { matchKeyword, matchSlot } from "./keywords";
import type { PatientRefFn } from "./patientRef";

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

/** Who is asking, for audit events and logs. */
export interface Caller {
  actor: string;
  requestId: string;
}

export interface SendMessageRequest {
  to: string;
  body: string;
  idempotencyKey?: string;
}

export interface StartConversationRequest {
  to: string;
  slots: string[];
  intro?: string;
  conversationId?: string;
  idempotencyKey?: string;
}

export interface ConversationView {
  conversationId: string;
  status: ConversationStatus;
  selectedSlot?: { number: number; label: string };
  slots: string[];
  replies: { receivedAt: string; text: string }[];
  delivery: { status: string; final: boolean };
  createdAt: string;
}

/** An HTTP answer the routes send as is; idempotent retries replay the first one. */
export interface ApiResult {
  statusCode: number;
  body: Record<string, unknown>;
}

/** One run of an agent request: its claim token, and whether a text has left yet. */
interface Attempt {
  token: string;
  sent: boolean;
}

const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
const MAX_BODY_CHARS = 1600; // SendTextMessage's MessageBody limit

/**
 * The conversation rules: sending, matching replies to conversations, keywords and opt-outs,
 * delivery status. Routes translate HTTP to these calls; stores persist what they decide.
 */
export class ConversationService {
  constructor(private readonly deps: ConversationServiceDeps) {}

  private iso(offsetMs = 0): string {
    return new Date(this.deps.now().getTime() + offsetMs).toISOString();
  }

  private expiry(): string {
    return this.iso(this.deps.conversationTtlDays * 24 * 60 * 60 * 1000);
  }

  // ---------------------------------------------------------------- outbound

  sendMessage(request: SendMessageRequest, caller: Caller): Promise<ApiResult> {
    validateDestination(request.to);
    validateBody(request.body);
    return this.idempotent(request.idempotencyKey, "messages", request, async (attempt) => {
      const patientRef = this.deps.patientRef(request.to);
      const sent = await this.sendToPatient(
        request.to,
        patientRef,
        request.body,
        undefined,
        caller,
        { attempt },
      );
      return {
        statusCode: 202,
        body: { messageId: sent.messageId, parts: sent.parts, encoding: sent.encoding },
      };
    });
  }

  startConversation(request: StartConversationRequest, caller: Caller): Promise<ApiResult> {
    validateDestination(request.to);
    validateSlotText(request.slots, request.intro);
    const body = slotsMessage(request.slots, request.intro);
    validateBody(body);
    return this.idempotent(request.idempotencyKey, "conversations", request, async (attempt) => {
      const conversationId = request.conversationId ?? randomUUID();
      const patientRef = this.deps.patientRef(request.to);
      const now = this.iso();
      const created = await this.deps.store.createConversation({
        conversationId,
        patientRef,
        slots: request.slots,
        status: "awaiting_reply",
        createdAt: now,
        updatedAt: now,
        expiresAt: this.expiry(),
        creationToken: attempt.token,
      });
      if (!created) {
        throw conflict("CONVERSATION_EXISTS", "a conversation with that conversationId exists");
      }
      this.audit(caller, "conversation.create", `conversation:${conversationId}`, "success");
      let sent: SentText;
      try {
        // Recording the sent message also links it to the conversation, in one transaction.
        sent = await this.sendToPatient(request.to, patientRef, body, conversationId, caller, {
          attempt,
        });
      } catch (err) {
        // A conversation nobody was invited to would only attract unrelated replies; but when
        // the text may have gone out, the patient may answer it, so it stays.
        if (!mayHaveBeenSent(err)) await this.deps.store.deleteConversation(conversationId);
        throw err;
      }
      return { statusCode: 201, body: { conversationId, messageId: sent.messageId } };
    });
  }

  private async sendToPatient(
    to: string,
    patientRef: string,
    body: string,
    conversationId: string | undefined,
    caller: Caller,
    options: { ignoreOptOut?: boolean; attempt?: Attempt } = {},
  ): Promise<SentText> {
    const record = conversationId ? `conversation:${conversationId}` : `patient:${patientRef}`;
    // Read right before the send, never earlier: a STOP stored meanwhile must win.
    if (!options.ignoreOptOut && (await this.deps.store.isOptedOut(patientRef))) {
      this.audit(caller, "sms.send", record, "denied", "PATIENT_OPTED_OUT");
      throw conflict(
        "PATIENT_OPTED_OUT",
        "the patient opted out (STOP); they must reply START first",
      );
    }
    let sent: SentText;
    try {
      // Context reaches delivery events and their logs, so it carries opaque ids only.
      sent = await this.deps.sender.send(to, body, {
        ...(conversationId ? { conversationId } : {}),
        requestId: caller.requestId,
      });
    } catch (err) {
      throw await this.sendFailure(err, patientRef, caller, record);
    }
    if (options.attempt) options.attempt.sent = true;
    try {
      await this.recordSent(sent, patientRef, conversationId);
    } catch (err) {
      this.audit(caller, "sms.send", `message:${sent.messageId}`, "error", "SENT_NOT_RECORDED");
      this.deps.log.error(
        { err, messageId: sent.messageId, conversationId },
        "sms sent but not recorded",
      );
      throw new AppError(
        502,
        "SENT_NOT_RECORDED",
        "the message was sent but could not be recorded; do not send it again",
      );
    }
    this.audit(caller, "sms.send", `message:${sent.messageId}`, "success");
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
    return this.deps.store.recordOutbound({
      messageId: sent.messageId,
      ...(conversationId ? { conversationId } : {}),
      patientRef,
      parts: sent.parts,
      encoding: sent.encoding,
      sentAt: this.iso(),
      delivery: { status: "SENT", final: false, at: this.iso() },
      expiresAt: this.expiry(),
    });
  }

  private async sendFailure(
    err: unknown,
    patientRef: string,
    caller: Caller,
    record: string,
  ): Promise<unknown> {
    if (!(err instanceof SmsGatewayError)) return err;
    this.audit(
      caller,
      "sms.send",
      record,
      err.kind === "unknown" ? "error" : "rejected",
      err.awsCode,
    );
    this.deps.log.warn({ kind: err.kind, awsCode: err.awsCode }, "sms send failed");
    switch (err.kind) {
      case "opted_out":
        // End User Messaging's opt-out list knows better than we do: mirror it.
        await this.deps.store.setOptOut(patientRef, true, this.iso());
        this.audit(
          caller,
          "optout.recorded",
          `patient:${patientRef}`,
          "success",
          "DESTINATION_OPTED_OUT",
        );
        return conflict("DESTINATION_OPTED_OUT", "the destination number is on the opt-out list");
      case "spend_limit":
        return unavailable("SPEND_LIMIT_REACHED", "the monthly SMS spend limit is reached", 3600);
      case "quota_exceeded":
        return unavailable("SMS_QUOTA_EXCEEDED", "an End User Messaging quota is reached", 60);
      case "throttled":
        return unavailable("SMS_THROTTLED", "End User Messaging kept throttling; retry later", 5);
      case "rejected":
        return new AppError(
          422,
          "SMS_REJECTED",
          `End User Messaging refused the message (${err.awsCode})`,
        );
      case "unknown":
        return new AppError(
          502,
          "SEND_OUTCOME_UNKNOWN",
          "End User Messaging did not answer clearly; the message may have been sent",
        );
    }
  }

  /**
   * Runs `operation` once per idempotency key. A retry with the same key and request gets the
   * first answer; one that comes while the first is running, or after it ended in an unknown
   * outcome, gets 409 rather than a second text to the patient. Only failures that certainly
   * sent nothing release the key; once a text may have left, the key is kept whatever fails
   * after it.
   */
  private async idempotent(
    key: string | undefined,
    scope: string,
    request: object,
    operation: (attempt: Attempt) => Promise<ApiResult>,
  ): Promise<ApiResult> {
    if (key === undefined) return this.attempt(randomUUID(), operation);
    const scopedKey = `${scope}:${key}`;
    const fingerprint = this.fingerprint(scope, request);
    // Random per claim, so the claimer recognises its own write after a lost answer.
    const token = randomUUID();
    const claim = await this.deps.store.claimIdempotencyKey({
      key: scopedKey,
      token,
      fingerprint,
      state: "pending",
      createdAt: this.iso(),
      expiresAt: this.iso(IDEMPOTENCY_TTL_MS),
    });
    if (!claim.claimed) {
      const existing = claim.existing;
      if (existing.fingerprint !== fingerprint) {
        throw new AppError(
          422,
          "IDEMPOTENCY_KEY_REUSED",
          "this idempotencyKey was used for a different request",
        );
      }
      if (existing.state === "completed" && existing.response) {
        return existing.response as ApiResult;
      }
      if (existing.state === "unknown") {
        throw conflict(
          "SEND_OUTCOME_UNKNOWN",
          "the first request with this idempotencyKey ended with an unknown outcome; check delivery status before sending again with a new key",
        );
      }
      throw conflict(
        "IDEMPOTENCY_IN_PROGRESS",
        "a request with this idempotencyKey is in progress",
      );
    }
    // The same key and request make the same conversation token: a retry after a failure that
    // sent nothing recognises the conversation the first attempt created (its answer lost).
    const creationToken = createHash("sha256")
      .update(`${scopedKey}\n${fingerprint}`)
      .digest("base64url");
    let result: ApiResult;
    try {
      result = await this.attempt(creationToken, operation);
    } catch (err) {
      if (mayHaveBeenSent(err)) {
        await this.settleKey(scopedKey, token, "unknown", {
          statusCode: err.statusCode,
          body: { code: err.code, message: err.message },
        });
      } else {
        await this.releaseKey(scopedKey, token);
      }
      throw err;
    }
    // The text went out and was recorded: the agent gets its answer even if the key cannot be
    // completed (retries then get 409 IDEMPOTENCY_IN_PROGRESS until it expires, never a resend).
    await this.settleKey(scopedKey, token, "completed", result);
    return result;
  }

  /** Runs one attempt; any failure after a text left becomes SENT_NOT_RECORDED. */
  private async attempt(
    token: string,
    operation: (attempt: Attempt) => Promise<ApiResult>,
  ): Promise<ApiResult> {
    const attempt: Attempt = { token, sent: false };
    try {
      return await operation(attempt);
    } catch (err) {
      if (!attempt.sent || mayHaveBeenSent(err)) throw err;
      this.deps.log.error({ err }, "sms sent but a later step failed");
      throw new AppError(
        502,
        "SENT_NOT_RECORDED",
        "the message was sent but could not be recorded; do not send it again",
      );
    }
  }

  private async settleKey(
    key: string,
    token: string,
    state: "completed" | "unknown",
    response: ApiResult,
  ): Promise<void> {
    try {
      if (await this.deps.store.completeIdempotencyKey(key, token, state, response)) return;
      this.deps.log.error({ state }, "idempotency key no longer held by its claim");
    } catch (err) {
      // The key stays "pending": retries get 409 until it expires, never a second text.
      this.deps.log.error({ err, state }, "idempotency key could not be completed");
    }
  }

  private async releaseKey(key: string, token: string): Promise<void> {
    try {
      if (await this.deps.store.releaseIdempotencyKey(key, token)) return;
      this.deps.log.warn("idempotency key was not held by its claim at release");
    } catch (err) {
      // Not fatal (retries get 409 IDEMPOTENCY_IN_PROGRESS until expiry) but worth seeing.
      this.deps.log.error({ err }, "idempotency key could not be released");
    }
  }

  private fingerprint(scope: string, request: object): string {
    const {
      to,
      idempotencyKey: _ignored,
      ...rest
    } = request as { to?: string; idempotencyKey?: string };
    const canonical = canonicalJson({
      scope,
      patient: to ? this.deps.patientRef(to) : null,
      rest,
    });
    return createHash("sha256").update(canonical).digest("base64url");
  }

  // ---------------------------------------------------------------- reads

  async getConversation(conversationId: string, caller: Caller): Promise<ConversationView> {
    const conversation = await this.deps.store.getConversation(conversationId);
    if (!conversation) {
      this.audit(
        caller,
        "conversation.read",
        `conversation:${conversationId}`,
        "rejected",
        "NOT_FOUND",
      );
      throw notFound("no conversation with that id");
    }
    const [replies, outbound] = await Promise.all([
      this.deps.store.listReplies(conversationId),
      conversation.lastMessageId
        ? this.deps.store.getOutbound(conversation.lastMessageId)
        : Promise.resolve(undefined),
    ]);
    // Reading replies is access to PHI: audited.
    this.audit(caller, "conversation.read", `conversation:${conversationId}`, "success");
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

  async getMessage(messageId: string, caller: Caller): Promise<Record<string, unknown>> {
    const outbound = await this.deps.store.getOutbound(messageId);
    if (!outbound) throw notFound("no message with that id");
    this.audit(caller, "conversation.read", `message:${messageId}`, "success");
    return {
      messageId,
      ...(outbound.conversationId ? { conversationId: outbound.conversationId } : {}),
      parts: outbound.parts,
      encoding: outbound.encoding,
      sentAt: outbound.sentAt,
      delivery: { status: outbound.delivery.status, final: outbound.delivery.final },
    };
  }

  // ---------------------------------------------------------------- inbound

  /**
   * Records an inbound SMS and what it means, exactly once. Returns "duplicate" for a
   * redelivery, which changes nothing and sends nothing.
   */
  async receiveInbound(
    sms: InboundSms,
    snsMessageId: string,
    caller: Caller,
  ): Promise<"created" | "duplicate"> {
    const patientRef = this.deps.patientRef(sms.originationNumber);
    const now = this.iso();
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
        expiresAt: this.expiry(),
      },
    };
    if (kind === "opt_out") input.optOut = { patientRef, optedOut: true };
    if (kind === "opt_in") input.optOut = { patientRef, optedOut: false };
    const effects = this.effectsOf(kind, patientRef);
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
    this.audit(
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
        await this.dispatchEffects(owed, sms, patientRef, caller);
      }
      return outcome;
    }
    this.deps.log.info(
      {
        inboundMessageId: sms.inboundMessageId,
        snsMessageId,
        conversationId: conversation?.conversationId,
        kind,
        matchedBy,
      },
      "inbound sms recorded",
    );
    await this.dispatchEffects(effects, sms, patientRef, caller);
    return outcome;
  }

  /** What must follow storing a message of this kind, stored with it (the outbox). */
  private effectsOf(kind: InboundKind, patientRef: string): PendingEffect[] {
    const record = `patient:${patientRef}`;
    const effects: PendingEffect[] = [];
    if (kind === "opt_out") {
      effects.push({ effectId: "1-audit", kind: "audit", action: "optout.recorded", record });
    }
    if (kind === "opt_in") {
      effects.push({ effectId: "1-audit", kind: "audit", action: "optin.recorded", record });
    }
    if (
      this.deps.selfManagedOptOuts &&
      (kind === "opt_out" || kind === "opt_in" || kind === "help")
    ) {
      effects.push({ effectId: "2-reply", kind: "keyword_reply", action: kind, record });
    }
    return effects;
  }

  /**
   * Performs owed effects. Audit events are written before they are taken (at least once); a
   * keyword reply is taken before it is sent (at most once: a patient is never texted twice).
   * A store failure here propagates, so AWS redelivers and the rest is done then.
   */
  private async dispatchEffects(
    effects: readonly PendingEffect[],
    sms: InboundSms,
    patientRef: string,
    caller: Caller,
  ): Promise<void> {
    for (const effect of effects) {
      // Effects are keyed by the message id; the patient must be the one that sent it.
      if (effect.record !== `patient:${patientRef}`) continue;
      if (effect.kind === "audit") {
        if (effect.action === "optout.recorded" || effect.action === "optin.recorded") {
          this.audit(caller, effect.action, effect.record, "success");
        }
        await this.deps.store.takeEffect(sms.inboundMessageId, effect.effectId);
        continue;
      }
      const keyword = effect.action;
      if (keyword !== "opt_out" && keyword !== "opt_in" && keyword !== "help") continue;
      if (!(await this.deps.store.takeEffect(sms.inboundMessageId, effect.effectId))) continue;
      await this.answerKeyword(sms.originationNumber, patientRef, keyword, caller);
    }
  }

  private async findConversation(
    sms: InboundSms,
    patientRef: string,
    now: string,
  ): Promise<{
    conversation?: Conversation;
    matchedBy: "previous-message" | "latest-open" | "none";
  }> {
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

  /**
   * With self-managed opt-outs End User Messaging sends no automatic HELP/STOP answers, so the
   * service must. The reply is best effort: the inbound message is already stored and a
   * redelivery would not come back here, so a failure is logged, not retried.
   */
  private async answerKeyword(
    to: string,
    patientRef: string,
    kind: "opt_out" | "opt_in" | "help",
    caller: Caller,
  ): Promise<void> {
    const replies = this.deps.keywordReplies;
    const text =
      kind === "opt_out" ? replies.stop : kind === "opt_in" ? replies.start : replies.help;
    try {
      // The STOP confirmation is the one message an opted-out patient must still receive.
      await this.sendToPatient(to, patientRef, text, undefined, caller, {
        ignoreOptOut: kind === "opt_out",
      });
    } catch (err) {
      this.deps.log.error({ err, kind }, "keyword reply failed");
    }
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
    this.audit(
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

  private audit(
    caller: Caller,
    action: Parameters<AuditLog["record"]>[0]["action"],
    record: string,
    outcome: Parameters<AuditLog["record"]>[0]["outcome"],
    reason?: string,
  ): void {
    this.deps.audit.record({
      actor: caller.actor,
      action,
      record,
      outcome,
      requestId: caller.requestId,
      ...(reason === undefined ? {} : { reason }),
    });
  }
}

/** Failures after which the patient may have received the text: never retried, never undone. */
function mayHaveBeenSent(err: unknown): err is AppError {
  return (
    err instanceof AppError &&
    (err.code === "SEND_OUTCOME_UNKNOWN" || err.code === "SENT_NOT_RECORDED")
  );
}

/** JSON with object keys sorted at every depth: equal requests, equal text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

function nextStatus(current: ConversationStatus, kind: InboundKind): ConversationStatus {
  if (kind === "opt_out") return "opted_out";
  if (current === "opted_out") return current; // START re-subscribes the patient, not this thread
  if (kind === "reply" || kind === "slot") return "replied";
  return current;
}

/** The numbered slots message, e.g. "Reply with a number:\n1. Tue 3:00 PM\n2. Wed 9:30 AM". */
export function slotsMessage(slots: readonly string[], intro?: string): string {
  const lines = slots.map((slot, i) => `${i + 1}. ${slot}`);
  const header = intro?.trim()
    ? intro.trim()
    : "Please reply with the number of the time that suits you:";
  return [header, ...lines].join("\n");
}

function validateDestination(to: string): void {
  if (!isE164PhoneNumber(to)) {
    throw badRequest(
      "INVALID_PHONE_NUMBER",
      "to must be a valid phone number in E.164 format, e.g. +14255550100",
    );
  }
}

// Control characters (line breaks, tabs, NEL, escapes) and the Unicode line and paragraph
// separators: a label holding a line break could add fake numbered options to the patient's SMS,
// and a reply to a fake option would not match any slot.
const LINE_BREAK_OR_CONTROL = /[\p{Cc}\u2028\u2029]/u;

function validateSlotText(slots: readonly string[], intro: string | undefined): void {
  if (slots.some((slot) => LINE_BREAK_OR_CONTROL.test(slot))) {
    throw badRequest(
      "INVALID_SLOTS",
      "slot labels must not hold line breaks or control characters",
    );
  }
  if (intro !== undefined && LINE_BREAK_OR_CONTROL.test(intro)) {
    throw badRequest("INVALID_INTRO", "the intro must not hold line breaks or control characters");
  }
}

function validateBody(body: string): void {
  if (body.trim() === "") throw badRequest("INVALID_BODY", "the message body is empty");
  if (body.length > MAX_BODY_CHARS) {
    throw badRequest("INVALID_BODY", `the message is longer than ${MAX_BODY_CHARS} characters`);
  }
}
