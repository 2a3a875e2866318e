import type { DecideSend, SendPolicy, SendRuleInput } from "../sendRules";
import type { RuleId, Verdict } from "../sendRecord";
import { checkFrequencyCap } from "./frequencyCap";
import { locateAreaCode } from "./nanpAreaCodes";
import { nextAllowedInstant } from "./quietHours";
import { stateQuietHours } from "./stateQuietHours";
import { assertTimeZone } from "./zonedTime";

/**
 * The verdict for one send at `input.now`, from data only (no store, no clock of its own).
 *
 * Order: the denials first (opt-out, consent, frequency cap), then the deferrals (sendAt,
 * registration, quiet hours). `ruleIds` names:
 * - allow: every rule evaluated, all of which passed (so an audit shows what was checked);
 * - deny: every denying rule that refused; `code` is the first's in that order, and `clearsAt`
 *   is set when that first one is the cap;
 * - defer: the rules that moved the send; `until` is the earliest instant at which all of them
 *   are satisfied at once: sendAt and the registration re-check first, then quiet hours at that
 *   time (so a sendAt at 23:00 moves to the next morning and names quiet hours too).
 *
 * Quiet hours: the zones are the request's `timeZone`, else every zone of the number's NANP area
 * code, else (non-NANP or unlisted codes) US Eastern and Pacific together, the most restrictive
 * continental pair, so an unknown number gets only the hours open coast to coast. A state's
 * narrower window applies by area code even with a `timeZone`, since the statute follows the
 * number's state as much as the recipient's clock.
 *
 * Throws `InvalidTimeZoneError` for a `timeZone` ICU does not know (the API answers 400).
 */
export const decideSend: DecideSend = (input: SendRuleInput, policy: SendPolicy): Verdict => {
  const decidedAt = input.now.toISOString();
  const timeZone = input.timeZone === undefined ? undefined : assertTimeZone(input.timeZone);

  const denial = firstDenials(input, policy);
  if (denial) return { decision: "deny", decidedAt, ...denial };

  const evaluated: RuleId[] = ["opt-out.stop"];
  if (policy.requireConsent) evaluated.push("consent.required");
  if (policy.frequencyCap) evaluated.push("frequency-cap.rolling");

  const deferredBy: RuleId[] = [];
  let due = input.now.getTime();
  evaluated.push("send-at.requested");
  if (input.sendAt && input.sendAt.getTime() > due) {
    due = input.sendAt.getTime();
    deferredBy.push("send-at.requested");
  }
  evaluated.push("registration.active");
  if (!input.registration.ready) {
    due = Math.max(due, input.now.getTime() + policy.registrationRecheckSeconds * 1000);
    deferredBy.push("registration.active");
  }

  const quiet = quietHoursFor(input.to, timeZone);
  evaluated.push(...quiet.ruleIds);
  const allowedAt = nextAllowedInstant(new Date(due), quiet.zones, policy.quietHours, quiet.state);
  if (allowedAt.getTime() > due) {
    due = allowedAt.getTime();
    deferredBy.push(...quiet.ruleIds);
  }

  if (deferredBy.length === 0) return { decision: "allow", ruleIds: evaluated, decidedAt };
  return { decision: "defer", until: new Date(due).toISOString(), ruleIds: deferredBy, decidedAt };
};

function firstDenials(
  input: SendRuleInput,
  policy: SendPolicy,
): { code: string; ruleIds: RuleId[]; clearsAt?: string } | undefined {
  const refusals: { id: RuleId; code: string; clearsAt?: string }[] = [];
  if (input.optedOut) refusals.push({ id: "opt-out.stop", code: "PATIENT_OPTED_OUT" });
  if (policy.requireConsent && !hasConsent(input)) {
    refusals.push({ id: "consent.required", code: "CONSENT_REQUIRED" });
  }
  if (policy.frequencyCap) {
    const cap = checkFrequencyCap(input.now, input.recentSendTimes, policy.frequencyCap);
    if (cap.reached) {
      refusals.push({
        id: "frequency-cap.rolling",
        code: "FREQUENCY_CAP_REACHED",
        clearsAt: cap.clearsAt.toISOString(),
      });
    }
  }
  const [first] = refusals;
  if (!first) return undefined;
  return {
    code: first.code,
    ruleIds: refusals.map((r) => r.id),
    ...(first.clearsAt === undefined ? {} : { clearsAt: first.clearsAt }),
  };
}

/**
 * A granted consent for the send's scope; a send that names no scope accepts a granted consent
 * of any scope (the caller passes the patient's newest one), since it asks for nothing narrower.
 */
function hasConsent(input: SendRuleInput): boolean {
  const c = input.consent;
  if (!c || !c.granted) return false;
  return input.consentScope === undefined || c.scope === input.consentScope;
}

/** Eastern and Pacific: every continental US zone's window contains their intersection. */
const UNKNOWN_NUMBER_ZONES: readonly [string, ...string[]] = [
  "America/New_York",
  "America/Los_Angeles",
];

function quietHoursFor(to: string, timeZone: string | undefined) {
  const location = locateAreaCode(to);
  const state = stateQuietHours(location?.region);
  const ruleIds: RuleId[] = ["quiet-hours.default"];
  let zones: readonly [string, ...string[]];
  if (timeZone !== undefined) {
    zones = [timeZone];
    ruleIds.push("quiet-hours.request-time-zone");
  } else if (location) {
    zones = location.zones;
    ruleIds.push("quiet-hours.area-code");
  } else {
    zones = UNKNOWN_NUMBER_ZONES;
  }
  if (state) ruleIds.push(`quiet-hours.state.${state.state}`);
  return { zones, state, ruleIds };
}
