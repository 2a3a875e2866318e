import type { Logger } from "pino";
import { LOG_METRICS, logMetric } from "../contract/logMetrics";
import { auditFor, type Caller } from "../conversations/caller";
import type { PatientSender } from "../conversations/patientSender";
import { sentNotRecorded } from "../conversations/sendFailures";
import { AppError } from "../errors";
import type { AuditLog } from "../logging/audit";
import { countSegments } from "../sms/segments";
import type { SentText } from "../sms/smsSender";
import type { OutboundStore } from "../store/outboundStore";
import type { OutboundQueue } from "./outboundQueue";
import { pacingCounters } from "./pacingCounters";
import { LATE_MS, type RateBudget } from "./ratePacer";
import type { SendExecutor } from "./sendExecutor";
import { WAITING_STATUSES, type ScheduledSend, type SendAttempt, type Verdict } from "./sendRecord";
import type { DecideSend, SendPolicy } from "./sendRules";
import { readRuleInput, type RegistrationState } from "./sendRuleInput";
import { auditVerdict, denialError } from "./verdictAudit";

/** What one execution came to: the record after it, and for the agent API what to answer. */
export interface ExecutionResult {
  send: ScheduledSend;
  /** The text that left, when it did. */
  sent?: SentText;
  /** The error the agent API answers with when the send was refused or its outcome is unknown. */
  failure?: AppError;
}

export interface PatientSendExecutorDeps {
  store: OutboundStore & {
    isOptedOut(patientRef: string): Promise<boolean>;
  };
  queue: Pick<OutboundQueue, "enqueue">;
  decideSend: DecideSend;
  policy: SendPolicy;
  registration: RegistrationState;
  rate: RateBudget;
  patientSender: PatientSender;
  audit: AuditLog;
  log: Logger;
  now: () => Date;
  /** How long the cap counts a send (the record's TTL); at least the cap's window. */
  capHistoryTtlMs: number;
}

/** How long the agent API waits for the number's rate before the send is queued instead. */
const INLINE_RATE_WAIT_MS = 1100;
/** At least this long before the slot, `markCallStarted` is written (more when writes take longer). */
const MARK_LEAD_MS = 20;
/** A throttled send goes back this far: nothing was sent, and the shared budget is the pacer. */
const THROTTLED_RETRY_MS = 1000;
/** Account-wide refusals that clear on their own: a queued send waits instead of failing. */
const WAIT_FOR_ACCOUNT: Partial<Record<string, number>> = {
  SPEND_LIMIT_REACHED: 3600_000,
  SMS_QUOTA_EXCEEDED: 60_000,
};

/**
 * Runs one claimed send (see `SendExecutor`): a verdict right before the text leaves, the shared
 * rate budget, `markCallStarted`, the gateway through `PatientSender` (which records the message
 * and audits it), and the outcome written under the lease. Every verdict is an audit event
 * naming its rules; nothing here logs a number or a text.
 */
export class PatientSendExecutor implements SendExecutor {
  /** How long `markCallStarted` takes, lately (a moving average). */
  private markMs = 0;

  constructor(private readonly deps: PatientSendExecutorDeps) {}

  /** Written this long before the slot, the write is usually done when the slot comes. */
  private markLeadMs(): number {
    return Math.max(MARK_LEAD_MS, 1.5 * this.markMs);
  }

  async execute(
    send: ScheduledSend,
    leaseToken: string,
    options: { waitForRate: boolean },
  ): Promise<ScheduledSend> {
    return (await this.run(send, leaseToken, options)).send;
  }

  async run(
    send: ScheduledSend,
    leaseToken: string,
    options: {
      waitForRate: boolean;
      /**
       * A verdict the caller made from fresh reads a moment ago (the agent API, just before the
       * inline run): used instead of reading the same again.
       */
      decided?: Verdict;
      /** Without `waitForRate`: how long to wait for the rate before queueing (default ~1 s). */
      maxRateWaitMs?: number;
    },
  ): Promise<ExecutionResult> {
    const booking = Date.now();
    const caller: Caller = { actor: send.principal, requestId: send.requestId };
    const { to, body } = send;
    if (to === undefined || body === undefined) {
      // Only a store bug leaves a waiting send without its text; it can never be sent.
      this.deps.log.error({ sendId: send.sendId }, "claimed send has no destination or text");
      return this.finish(send, leaseToken, caller, { status: "failed", code: "NO_DESTINATION" });
    }
    const now = this.deps.now();
    let verdict = options.decided;
    if (verdict === undefined) {
      const input = await readRuleInput(this.deps, send, to, now);
      verdict = this.deps.decideSend(input, this.deps.policy);
      auditVerdict(this.deps.audit, caller, send.sendId, verdict);
    }
    if (verdict.decision === "defer") {
      const finished = await this.finish(send, leaseToken, caller, {
        status: "deferred",
        dueAt: verdict.until,
        verdict,
      });
      if (finished.send.status === "deferred") {
        await this.deps.queue.enqueue(send.sendId, new Date(verdict.until));
      }
      return finished;
    }
    if (verdict.decision === "deny") {
      const finished = await this.finish(send, leaseToken, caller, { status: "denied", verdict });
      return { ...finished, failure: denialError(verdict, now) };
    }

    const { parts } = countSegments(body);
    const counters = pacingCounters;
    // The agent API waits for about one second's slot (an interactive send still answers `sent`
    // when a few arrive in the same second), then hands the send to the queue, unsent.
    const wait = options.waitForRate
      ? {}
      : { maxWaitMs: options.maxRateWaitMs ?? INLINE_RATE_WAIT_MS };
    const reserved = await this.deps.rate.reserve(parts, wait);
    const booked = Date.now();
    if (options.waitForRate) counters.claimToBookedMs += booked - booking;
    // `markCallStarted` is written a moment before the slot, so the write's own time does not
    // make the call late (lateness is what the pacer's margin absorbs); only that moment, not the
    // whole wait, is added to the time in which a stopped task leaves the send `unknown`. Held
    // past the slot, the send books a new one (`keep`).
    let slot =
      reserved === undefined
        ? undefined
        : await this.deps.rate.keep(reserved, parts, { ...wait, leadMs: this.markLeadMs() });
    if (reserved !== undefined && slot !== reserved) counters.rebookedBeforeMark += 1;
    if (slot === undefined) {
      return this.finish(send, leaseToken, caller, {
        status: "queued",
        dueAt: now.toISOString(),
        verdict,
      });
    }
    const startedAt = this.deps.now().toISOString();
    const marking = Date.now();
    const marked = await this.deps.store.markCallStarted(send.sendId, leaseToken, startedAt);
    const markMs = Date.now() - marking;
    this.markMs = 0.8 * this.markMs + 0.2 * markMs;
    counters.markMsSum += markMs;
    counters.markMsMax = Math.max(counters.markMsMax, markMs);
    if (!marked) {
      // Another worker took it over (our lease ran out while waiting): it decides now.
      this.deps.log.warn({ sendId: send.sendId }, "send lease lost before the gateway call");
      return { send: (await this.deps.store.getSend(send.sendId)) ?? send };
    }
    // From here the send may have started: after a late write the queue's worker books a new
    // slot rather than go late; the agent API's send goes (it must not end `unknown` unsent).
    if (options.waitForRate) {
      const kept = (await this.deps.rate.keep(slot, parts)) ?? slot;
      if (kept !== slot) {
        counters.rebookedAfterMark += 1;
        if (marking + markMs > slot + LATE_MS) counters.markEndedLate += 1;
      }
      slot = kept;
    } else await this.deps.rate.waitUntil(slot);
    counters.callAt(Date.now() - slot);
    if (options.waitForRate) counters.waitForSlotMs += Date.now() - booked;
    const attempt = { token: leaseToken, sent: false } as {
      token: string;
      sent: boolean;
      messageId?: string;
    };
    let sent: SentText;
    try {
      sent = await this.deps.patientSender.send({
        to,
        body,
        patientRef: send.patientRef,
        ...(send.conversationId ? { conversationId: send.conversationId } : {}),
        caller,
        attempt,
        sendId: send.sendId,
        // The budget is taken above; throttling is handed back here, never retried in place.
        sendOptions: { prePaced: true, maxThrottleRetries: 0 },
      });
    } catch (err) {
      return this.afterFailure(send, leaseToken, caller, verdict, startedAt, attempt, err, options);
    }
    return this.afterSent(send, leaseToken, caller, verdict, startedAt, sent);
  }

  private async afterSent(
    send: ScheduledSend,
    leaseToken: string,
    caller: Caller,
    verdict: Verdict,
    startedAt: string,
    sent: SentText,
  ): Promise<ExecutionResult> {
    const at = this.deps.now();
    try {
      // The cap's history is kept only while a cap is configured (turning one on counts from then).
      if (this.deps.policy.frequencyCap)
        await this.deps.store.recordSendForCap(
          send.patientRef,
          send.sendId,
          at.toISOString(),
          new Date(at.getTime() + this.deps.capHistoryTtlMs).toISOString(),
        );
    } catch (err) {
      // The text left; a cap that undercounts one send is better than a send marked failed.
      this.deps.log.error({ err, sendId: send.sendId }, "send not counted for the frequency cap");
    }
    const finished = await this.finish(send, leaseToken, caller, {
      status: "sent",
      verdict,
      providerMessageId: sent.messageId,
      attempt: { at: startedAt, outcome: "sent", providerMessageId: sent.messageId },
    });
    return { ...finished, sent };
  }

  private async afterFailure(
    send: ScheduledSend,
    leaseToken: string,
    caller: Caller,
    verdict: Verdict,
    startedAt: string,
    attempt: { sent: boolean; messageId?: string },
    err: unknown,
    options: { waitForRate: boolean },
  ): Promise<ExecutionResult> {
    const code = err instanceof AppError ? err.code : "INTERNAL";
    if (attempt.sent && attempt.messageId !== undefined) {
      // The text left but the message record could not be written: the send still ended `sent`.
      const finished = await this.finishQuietly(send, leaseToken, {
        status: "sent",
        at: this.deps.now().toISOString(),
        verdict,
        providerMessageId: attempt.messageId,
        attempt: { at: startedAt, outcome: "sent", providerMessageId: attempt.messageId },
      });
      return { send: finished ?? send, failure: sentNotRecorded() };
    }
    const failure = err instanceof AppError ? err : undefined;
    if (code === "SMS_THROTTLED") {
      // End User Messaging said nothing was sent; the send waits for the shared budget again.
      this.deps.log.warn({ sendId: send.sendId }, "send throttled despite the shared budget");
      const dueAt = new Date(this.deps.now().getTime() + THROTTLED_RETRY_MS).toISOString();
      return this.finish(send, leaseToken, caller, { status: "queued", dueAt, verdict });
    }
    if (code === "PATIENT_OPTED_OUT") {
      // A STOP stored between the verdict and the call: PatientSender's own check refused it.
      const denied: Verdict = {
        decision: "deny",
        code,
        ruleIds: ["opt-out.stop"],
        decidedAt: this.deps.now().toISOString(),
      };
      auditVerdict(this.deps.audit, caller, send.sendId, denied);
      const finished = await this.finish(send, leaseToken, caller, {
        status: "denied",
        verdict: denied,
      });
      return { ...finished, ...(failure ? { failure } : {}) };
    }
    const waitMs = WAIT_FOR_ACCOUNT[code];
    const rejected: SendAttempt = { at: startedAt, outcome: "rejected", code };
    if (code === "SEND_OUTCOME_UNKNOWN" || !(err instanceof AppError)) {
      // The same metric as a lease that expired mid-call: either way nobody knows if it left.
      this.deps.log.warn(
        { sendId: send.sendId, ...logMetric(LOG_METRICS.sendOutcomeUnknown.name, 1) },
        "send outcome unknown: the gateway call failed in a way that may have sent it; not re-sent",
      );
      const finished = await this.finish(send, leaseToken, caller, {
        status: "unknown",
        verdict,
        attempt: { at: startedAt, outcome: "unknown", code },
      });
      return {
        ...finished,
        failure:
          failure ??
          new AppError(
            "SEND_OUTCOME_UNKNOWN",
            "the send failed in a way that may have sent it; check before sending again",
          ),
      };
    }
    // The agent API (not waiting) tells the agent at once, as before; a queued send waits.
    if (waitMs !== undefined && options.waitForRate) {
      const dueAt = new Date(this.deps.now().getTime() + waitMs).toISOString();
      return this.finish(send, leaseToken, caller, {
        status: "queued",
        dueAt,
        verdict,
        attempt: rejected,
      });
    }
    const finished = await this.finish(send, leaseToken, caller, {
      status: "failed",
      verdict,
      attempt: rejected,
    });
    return { ...finished, ...(failure ? { failure } : {}) };
  }

  private async finish(
    send: ScheduledSend,
    leaseToken: string,
    caller: Caller,
    outcome: {
      status: ScheduledSend["status"];
      dueAt?: string;
      verdict?: Verdict;
      attempt?: SendAttempt;
      providerMessageId?: string;
      code?: string;
    },
  ): Promise<ExecutionResult> {
    const { code, ...update } = outcome;
    const at = this.deps.now().toISOString();
    const finished = await this.finishQuietly(send, leaseToken, { ...update, at });
    const result = outcome.status;
    if (WAITING_STATUSES.includes(result)) {
      return { send: finished ?? (await this.deps.store.getSend(send.sendId)) ?? send };
    }
    auditFor(
      this.deps.audit,
      caller,
      "send.outcome",
      `send:${send.sendId}`,
      result === "sent" ? "success" : result === "unknown" ? "error" : "rejected",
      code ?? update.attempt?.code ?? result,
    );
    return { send: finished ?? (await this.deps.store.getSend(send.sendId)) ?? send };
  }

  private async finishQuietly(
    send: ScheduledSend,
    leaseToken: string,
    update: Parameters<OutboundStore["finishSend"]>[2],
  ): Promise<ScheduledSend | undefined> {
    const finished = await this.deps.store.finishSend(send.sendId, leaseToken, update);
    if (!finished) {
      this.deps.log.warn({ sendId: send.sendId }, "send lease lost before its outcome was written");
    }
    return finished;
  }
}
