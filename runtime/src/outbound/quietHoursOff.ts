import type { DecideSend } from "./sendRules";

/**
 * `QUIET_HOURS=off`: the rules decide as always, but a deferral made by quiet-hours rules alone
 * (the stack's window or a state's) becomes an allow. A deferral that also names another rule
 * (registration, sendAt) stands. For tests that run at any hour and for stacks whose patients
 * are not under US calling-hour rules; a production US stack keeps its window.
 */
export function withoutQuietHours(decide: DecideSend): DecideSend {
  return (input, policy) => {
    const verdict = decide(input, policy);
    if (verdict.decision !== "defer") return verdict;
    if (!verdict.ruleIds.every((id) => id.startsWith("quiet-hours."))) return verdict;
    return { decision: "allow", ruleIds: verdict.ruleIds, decidedAt: verdict.decidedAt };
  };
}
