import type { RuleId } from "../sendRecord";
import { STATE_QUIET_HOURS } from "./stateQuietHours";

/**
 * Every rule that can decide a send, with a stable id (cited in verdicts, audit events and the
 * API), what it does, and why: the list the README and an auditor read.
 */
export interface SendRule {
  id: RuleId;
  kind: "deny" | "defer";
  summary: string;
  citation: string;
}

const FIXED_RULES: readonly SendRule[] = [
  {
    id: "opt-out.stop",
    kind: "deny",
    summary: "A patient who replied STOP (and not START since) gets nothing: PATIENT_OPTED_OUT.",
    citation:
      "47 CFR § 64.1200(a)(10) (revocation of consent by any reasonable means); CTIA Messaging Principles and Best Practices (opt-out)",
  },
  {
    id: "consent.required",
    kind: "deny",
    summary:
      "With requireConsent, a send needs a granted consent for its consentScope (any granted scope when the send names none): CONSENT_REQUIRED.",
    citation:
      "47 U.S.C. § 227(b)(1)(A) (prior express consent for autodialed texts to mobiles); CTIA Messaging Principles and Best Practices (consent)",
  },
  {
    id: "frequency-cap.rolling",
    kind: "deny",
    summary:
      "At most maxSends to one patient in any windowSeconds: FREQUENCY_CAP_REACHED, with clearsAt.",
    citation:
      "FCC 15-72 (2015 TCPA Omnibus Declaratory Ruling), healthcare exemption: at most one message a day and three a week; the stack's FREQUENCY_CAP",
  },
  {
    id: "send-at.requested",
    kind: "defer",
    summary:
      "A send with sendAt in the future waits until then; the other rules apply at that time.",
    citation: "The agent's request (sendAt).",
  },
  {
    id: "registration.active",
    kind: "defer",
    summary:
      "While the origination number or its registration cannot send, a send waits and is re-checked after registrationRecheckSeconds.",
    citation:
      "AWS End User Messaging: numbers send only once their registration is complete (Registration Status Change events, DescribePhoneNumbers).",
  },
  {
    id: "quiet-hours.default",
    kind: "defer",
    summary:
      "Sends leave only inside the stack's window (QUIET_HOURS, default 08:00-21:00) in the recipient's local time, in every zone the recipient may be in; unknown numbers use US Eastern and Pacific together.",
    citation:
      "47 CFR § 64.1200(c)(1) (no solicitation before 8 a.m. or after 9 p.m. at the called party's location).",
  },
  {
    id: "quiet-hours.request-time-zone",
    kind: "defer",
    summary:
      "The request's timeZone is the recipient's zone, instead of one inferred from the number.",
    citation: "The agent's request (timeZone).",
  },
  {
    id: "quiet-hours.area-code",
    kind: "defer",
    summary:
      "Without a timeZone, the zones of the number's NANP area code; a code that spans zones allows only times open in all of them.",
    citation:
      "libphonenumber's NANP time zone data (Apache-2.0), copied in runtime/src/outbound/rules/nanpAreaCodeData.ts.",
  },
];

export const RULES: readonly SendRule[] = [
  ...FIXED_RULES,
  ...STATE_QUIET_HOURS.map((s): SendRule => ({
    id: `quiet-hours.state.${s.state}`,
    kind: "defer",
    summary: `Numbers with a ${s.state} area code: the state's narrower window applies too.`,
    citation: s.citation,
  })),
];

export function ruleById(id: string): SendRule | undefined {
  return RULES.find((r) => r.id === id);
}
