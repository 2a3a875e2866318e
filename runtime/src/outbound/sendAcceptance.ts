import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { Caller } from "../conversations/caller";
import type { Attempt } from "../conversations/idempotentRequests";
import { AppError, StoreUnavailableError } from "../errors";
import type { AuditLog } from "../logging/audit";
import type { OutboundStore } from "../store/outboundStore";
import type { OutboundQueue } from "./outboundQueue";
import type { PatientSendExecutor } from "./patientSendExecutor";
import type { ScheduledSend, SendPurpose, SendStatus, Verdict } from "./sendRecord";
import { readRuleInput, type RegistrationState } from "./sendRuleInput";
import type { DecideSend, SendPolicy } from "./sendRules";
import { parseSendTiming, type SendTimingRequest } from "./sendTiming";
import { auditVerdict, denialError } from "./verdictAudit";

export type { SendTimingRequest } from "./sendTiming";

/** What the agent is told about an accepted send (202): see docs/outbound-queue.md. */
export interface AcceptedSend extends Record<string, unknown> {
  /** End User Messaging's id once sent; until then the send id. */
  messageId: string;
  sendId: string;
  status: Extract<SendStatus, "sent" | "queued" | "scheduled" | "deferred">;
  dueAt?: string;
  verdict: Verdict;
  parts?: number;
  encoding?: string;
}

export interface SendAcceptanceDeps {
  store: OutboundStore & { isOptedOut(patientRef: string): Promise<boolean> };
  queue: Pick<OutboundQueue, "enqueue">;
  executor: PatientSendExecutor;
  decideSend: DecideSend;
  policy: SendPolicy;
  registration: RegistrationState;
  audit: AuditLog;
  log: Logger;
  now: () => Date;
  /** How long records live after their due time (the conversation TTL). */
  recordTtlMs: number;
  /** The worker's lease: an inline send's safety-net message becomes visible after it. */
  leaseMs: number;
}

export interface SendToAccept {
  to: string;
  body: string;
  patientRef: string;
  purpose: SendPurpose;
  conversationId?: string;
  timing: SendTimingRequest;
  caller: Caller;
  /** The agent request's run: marked sent once the text left (idempotency). */
  attempt: Attempt;
  /** How long the inline run may wait for the rate before queueing (a batch: 0). */
  maxRateWaitMs?: number;
}

/**
 * An agent's send, from request to answer: the rules' verdict (a refusal is the agent's 4xx and
 * stores nothing), a send record, and either a message in the queue for its due time or, when
 * due now, an inline run so that a send that can leave at once still answers `sent`.
 *
 * Durability first: a send due now is enqueued (visible after the lease) *before* it is run
 * inline, so a task that dies mid-request leaves a message that brings the send back to a worker,
 * which then finds it ended, claimable again (nothing was sent) or `unknown` (never re-sent).
 */
export class SendAcceptance {
  constructor(private readonly deps: SendAcceptanceDeps) {}

  /** Validates the timing fields alone (before an idempotency key is claimed). */
  checkTiming(timing: SendTimingRequest): void {
    parseSendTiming(timing, this.deps.now());
  }

  async accept(request: SendToAccept): Promise<AcceptedSend> {
    const { deps } = this;
    const now = deps.now();
    const { sendAt } = parseSendTiming(request.timing, now);
    const sendId = `send-${randomUUID()}`;
    const facts = {
      patientRef: request.patientRef,
      purpose: request.purpose,
      ...(request.timing.timeZone ? { timeZone: request.timing.timeZone } : {}),
      ...(request.timing.consentScope ? { consentScope: request.timing.consentScope } : {}),
    };
    const input = await readRuleInput(deps, facts, request.to, now, sendAt);
    const verdict = deps.decideSend(input, deps.policy);
    auditVerdict(deps.audit, request.caller, sendId, verdict);
    if (verdict.decision === "deny") throw denialError(verdict, now);

    const { status, dueAt } = placement(verdict, sendAt, now);
    const record: ScheduledSend = {
      sendId,
      ...facts,
      to: request.to,
      body: request.body,
      ...(request.conversationId ? { conversationId: request.conversationId } : {}),
      status,
      requestedAt: (sendAt ?? now).toISOString(),
      dueAt: dueAt.toISOString(),
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      verdict,
      attempts: [],
      requestId: request.caller.requestId,
      principal: request.caller.actor,
      expiresAt: new Date(dueAt.getTime() + deps.recordTtlMs).toISOString(),
    };
    if (!(await deps.store.createSend(record))) {
      throw new StoreUnavailableError("createSend (send id taken)");
    }
    if (status !== "queued") {
      await this.enqueueOrCancel(sendId, dueAt);
      return { messageId: sendId, sendId, status, dueAt: record.dueAt, verdict };
    }
    const leaseUntil = new Date(now.getTime() + deps.leaseMs);
    await this.enqueueOrCancel(sendId, leaseUntil);
    return this.runInline(record, verdict, request, now, leaseUntil);
  }

  private async runInline(
    record: ScheduledSend,
    verdict: Verdict,
    request: SendToAccept,
    now: Date,
    leaseUntil: Date,
  ): Promise<AcceptedSend> {
    const { deps } = this;
    const token = randomUUID();
    const claimed = await deps.store.claimSend(
      record.sendId,
      token,
      now.toISOString(),
      leaseUntil.toISOString(),
    );
    const sendId = record.sendId;
    if (!claimed) return queuedAnswer(record);
    const result = await deps.executor.run(claimed, token, {
      waitForRate: false,
      decided: verdict,
      ...(request.maxRateWaitMs === undefined ? {} : { maxRateWaitMs: request.maxRateWaitMs }),
    });
    const attempt = request.attempt;
    if (result.sent) {
      attempt.sent = true;
      attempt.messageId = result.sent.messageId;
    }
    if (result.failure) throw result.failure;
    const after = result.send;
    if (after.status === "sent" && result.sent) {
      return {
        messageId: result.sent.messageId,
        sendId,
        status: "sent",
        verdict: after.verdict ?? record.verdict!,
        parts: result.sent.parts,
        encoding: result.sent.encoding,
      };
    }
    if (after.status === "queued") {
      // No rate budget this second: due now for a worker. The safety-net message would also
      // bring it back after the lease; this one just does it sooner.
      try {
        await deps.queue.enqueue(sendId, new Date(after.dueAt));
      } catch (err) {
        deps.log.warn(
          { err, sendId },
          "enqueue of a rate-limited send failed; it runs after the lease",
        );
      }
    }
    if (after.status === "queued" || after.status === "deferred" || after.status === "scheduled") {
      return {
        messageId: sendId,
        sendId,
        status: after.status,
        dueAt: after.dueAt,
        verdict: after.verdict ?? record.verdict!,
      };
    }
    // Another worker holds it (or it ended without a failure to report): it is on its way.
    return queuedAnswer(after);
  }

  /** A send whose message cannot be queued is cancelled, so nothing waits that nothing runs. */
  private async enqueueOrCancel(sendId: string, dueAt: Date): Promise<void> {
    try {
      await this.deps.queue.enqueue(sendId, dueAt);
    } catch (err) {
      this.deps.log.error({ err, sendId }, "outbound queue unavailable: send not accepted");
      await this.deps.store
        .cancelSend(sendId, this.deps.now().toISOString())
        .catch((cancelErr: unknown) =>
          this.deps.log.error({ err: cancelErr, sendId }, "unqueued send could not be cancelled"),
        );
      throw new AppError("STORE_UNAVAILABLE", "the outbound queue is unavailable; retry");
    }
  }
}

function placement(
  verdict: Verdict,
  sendAt: Date | undefined,
  now: Date,
): { status: AcceptedSend["status"]; dueAt: Date } {
  if (verdict.decision === "defer") {
    const until = new Date(verdict.until);
    const onlyRequested = verdict.ruleIds.every((id) => id === "send-at.requested");
    const scheduled = sendAt !== undefined && (onlyRequested || until <= sendAt);
    return { status: scheduled ? "scheduled" : "deferred", dueAt: until };
  }
  if (sendAt !== undefined && sendAt > now) return { status: "scheduled", dueAt: sendAt };
  return { status: "queued", dueAt: now };
}

function queuedAnswer(send: ScheduledSend): AcceptedSend {
  return {
    messageId: send.sendId,
    sendId: send.sendId,
    status: "queued",
    dueAt: send.dueAt,
    verdict: send.verdict!,
  };
}
