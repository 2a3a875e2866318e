import type { ConsentRecord, RuleId, SendPurpose, Verdict } from "./sendRecord";

/**
 * The input of the send rules: everything they need, read by the caller from the store and the
 * readiness check, so the rules themselves are pure and testable with a fixed clock.
 * Implemented in `rules/decideSend.ts` (`decideSend(input, policy): Verdict`).
 */
export interface SendRuleInput {
  now: Date;
  /** E.164 destination: used for its area code only, never logged. */
  to: string;
  timeZone?: string;
  purpose: SendPurpose;
  consentScope?: string;
  /** The agent's sendAt when in the future. */
  sendAt?: Date;
  /** The patient's consent for the send's scope, if any is recorded. */
  consent?: ConsentRecord;
  /** The STOP state this service holds. */
  optedOut: boolean;
  /** When this patient's earlier sends counted by the cap were sent (any order). */
  recentSendTimes: readonly Date[];
  /** Whether the origination number and its registration can send now, and if not why. */
  registration: { ready: true } | { ready: false; reason: string };
}

/** The stack's settings for the rules (runtime config). */
export interface SendPolicy {
  requireConsent: boolean;
  /** Default window, recipient-local, "HH:MM" 24h: start inclusive, end exclusive. */
  quietHours: { allowedStart: string; allowedEnd: string };
  frequencyCap: { maxSends: number; windowSeconds: number } | undefined;
  /** How far ahead a deferral by the registration gate re-checks (it does not know when). */
  registrationRecheckSeconds: number;
}

export type DecideSend = (input: SendRuleInput, policy: SendPolicy) => Verdict;

export type { RuleId, Verdict };
