import type { OutboundStore } from "../store/outboundStore";
import type { ConsentRecord, ScheduledSend } from "./sendRecord";
import type { SendPolicy, SendRuleInput } from "./sendRules";

/** Whether the origination number can send now, and if not why (`registrationGate.ts`). */
export interface RegistrationState {
  current(): SendRuleInput["registration"];
}

interface RuleInputSources {
  store: Pick<OutboundStore, "getConsent" | "listConsents" | "sendTimesSince"> & {
    isOptedOut(patientRef: string): Promise<boolean>;
  };
  policy: SendPolicy;
  registration: RegistrationState;
}

type SendFacts = Pick<ScheduledSend, "patientRef" | "purpose" | "timeZone" | "consentScope">;

/**
 * Reads what the rules decide from, fresh from the store: the STOP state, the consent, the cap's
 * history and the number's registration. Read right before a decision, never earlier, so a STOP
 * or a revocation stored meanwhile wins.
 */
export async function readRuleInput(
  sources: RuleInputSources,
  send: SendFacts,
  to: string,
  now: Date,
  sendAt?: Date,
): Promise<SendRuleInput> {
  const cap = sources.policy.frequencyCap;
  const [optedOut, consent, recent] = await Promise.all([
    sources.store.isOptedOut(send.patientRef),
    // Consent decides only where it is required: no read otherwise.
    sources.policy.requireConsent
      ? consentFor(sources.store, send.patientRef, send.consentScope)
      : Promise.resolve(undefined),
    cap
      ? sources.store.sendTimesSince(
          send.patientRef,
          new Date(now.getTime() - cap.windowSeconds * 1000).toISOString(),
        )
      : Promise.resolve([]),
  ]);
  return {
    now,
    to,
    ...(send.timeZone ? { timeZone: send.timeZone } : {}),
    purpose: send.purpose,
    ...(send.consentScope ? { consentScope: send.consentScope } : {}),
    ...(sendAt && sendAt.getTime() > now.getTime() ? { sendAt } : {}),
    ...(consent ? { consent } : {}),
    optedOut,
    recentSendTimes: recent.map((at) => new Date(at)),
    registration: sources.registration.current(),
  };
}

/**
 * The consent a send relies on: the one of its scope when it names one; otherwise the patient's
 * newest granted consent of any scope (an agent that records "appointment-reminders" and sends
 * without a scope is covered by it), else the newest revocation, so the rules can say which.
 */
async function consentFor(
  store: RuleInputSources["store"],
  patientRef: string,
  scope: string | undefined,
): Promise<ConsentRecord | undefined> {
  if (scope !== undefined) return store.getConsent(patientRef, scope);
  const all = await store.listConsents(patientRef);
  const newestFirst = [...all].sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
  return newestFirst.find((c) => c.granted) ?? newestFirst[0];
}
