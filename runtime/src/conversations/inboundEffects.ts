import type { Logger } from "pino";
import type { AuditLog } from "../logging/audit";
import type { ConversationStore, InboundKind, PendingEffect } from "../store/conversationStore";
import { auditFor, type Caller } from "./caller";
import type { InboundSms } from "./inboundSms";
import type { PatientSender } from "./patientSender";

/** What STOP and START do to consents (`outbound/consents.ts`). */
export interface KeywordConsents {
  revokeForStop(patientRef: string, capturedAt: string, caller: Caller): Promise<void>;
  restoreForStart(patientRef: string, capturedAt: string, caller: Caller): Promise<void>;
}

type KeywordKind = "opt_out" | "opt_in" | "help";

/**
 * The outbox of an inbound message: what must follow storing it (audit events, keyword replies),
 * stored with the message and performed after, so a redelivery finishes what a crash left owed.
 */
export class InboundEffects {
  constructor(
    private readonly deps: {
      store: ConversationStore;
      patientSender: PatientSender;
      audit: AuditLog;
      log: Logger;
      selfManagedOptOuts: boolean;
      keywordReplies: { help: string; stop: string; start: string };
      consents?: KeywordConsents;
      now?: () => Date;
    },
  ) {}

  /** What must follow storing a message of this kind, stored with it. */
  owedFor(kind: InboundKind, patientRef: string): PendingEffect[] {
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
  async dispatch(
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
          auditFor(this.deps.audit, caller, effect.action, effect.record, "success");
          // Before the effect is taken, so a failure here is redone on redelivery; each change
          // is idempotent (STOP revokes only granted scopes, START restores only STOP's).
          await this.changeConsents(effect.action, patientRef, caller);
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

  private async changeConsents(
    action: "optout.recorded" | "optin.recorded",
    patientRef: string,
    caller: Caller,
  ): Promise<void> {
    const consents = this.deps.consents;
    if (!consents) return;
    const at = (this.deps.now?.() ?? new Date()).toISOString();
    if (action === "optout.recorded") await consents.revokeForStop(patientRef, at, caller);
    else await consents.restoreForStart(patientRef, at, caller);
  }

  /**
   * With self-managed opt-outs End User Messaging sends no automatic HELP/STOP answers, so the
   * service must. The reply is best effort: the inbound message is already stored and a
   * redelivery would not come back here, so a failure is logged, not retried.
   */
  private async answerKeyword(
    to: string,
    patientRef: string,
    kind: KeywordKind,
    caller: Caller,
  ): Promise<void> {
    const replies = this.deps.keywordReplies;
    const text =
      kind === "opt_out" ? replies.stop : kind === "opt_in" ? replies.start : replies.help;
    try {
      // The STOP confirmation is the one message an opted-out patient must still receive.
      await this.deps.patientSender.send({
        to,
        patientRef,
        body: text,
        caller,
        ignoreOptOut: kind === "opt_out",
      });
    } catch (err) {
      this.deps.log.error({ err, kind }, "keyword reply failed");
    }
  }
}
