import { auditFor, type Caller } from "../conversations/caller";
import { AppError, isErrorCode } from "../errors";
import type { AuditLog } from "../logging/audit";
import type { Verdict } from "./sendRecord";

/**
 * Every verdict is an audit event: the send's id as the record, and as the reason the decision
 * with the ids of the rules that made it (`deny:CONSENT_REQUIRED:consent.required`). No PHI.
 */
export function auditVerdict(
  audit: AuditLog,
  caller: Caller,
  sendId: string,
  verdict: Verdict,
): void {
  const rules = verdict.ruleIds.join(",");
  const reason =
    verdict.decision === "deny"
      ? `deny:${verdict.code}:${rules}`
      : verdict.decision === "defer"
        ? `defer:${verdict.until}:${rules}`
        : `allow:${rules}`;
  const outcome = verdict.decision === "deny" ? "denied" : "success";
  auditFor(audit, caller, "send.verdict", `send:${sendId}`, outcome, reason);
}

/** The agent's error for a refusal: its code, and for the cap when it clears (Retry-After). */
export function denialError(verdict: Verdict & { decision: "deny" }, now: Date): AppError {
  switch (verdict.code) {
    case "CONSENT_REQUIRED":
      return new AppError(
        "CONSENT_REQUIRED",
        "the patient has no recorded consent for this kind of message: record it with POST /v1/consents first",
      );
    case "FREQUENCY_CAP_REACHED": {
      const clearsAt = verdict.clearsAt ? Date.parse(verdict.clearsAt) : Number.NaN;
      const seconds = Number.isFinite(clearsAt)
        ? Math.max(1, Math.ceil((clearsAt - now.getTime()) / 1000))
        : undefined;
      return new AppError(
        "FREQUENCY_CAP_REACHED",
        verdict.clearsAt
          ? `the patient's message limit is reached; it clears at ${verdict.clearsAt}`
          : "the patient's message limit is reached",
        seconds === undefined ? {} : { retryAfterSeconds: seconds },
      );
    }
    case "PATIENT_OPTED_OUT":
      return new AppError(
        "PATIENT_OPTED_OUT",
        "the patient opted out (STOP); they must reply START first",
      );
    default:
      // A rule's code this version does not know: still refused, under a code the agent can read.
      return isErrorCode(verdict.code)
        ? new AppError(verdict.code, "the send was refused by a send rule")
        : new AppError("INVALID_REQUEST", `the send was refused by a send rule (${verdict.code})`);
  }
}
