import type { AuditAction, AuditLog, AuditOutcome } from "../logging/audit";

/** Who is asking, for audit events and logs. */
export interface Caller {
  actor: string;
  requestId: string;
}

/** Records one audit event on behalf of `caller`. */
export function auditFor(
  audit: AuditLog,
  caller: Caller,
  action: AuditAction,
  record: string,
  outcome: AuditOutcome,
  reason?: string,
): void {
  audit.record({
    actor: caller.actor,
    action,
    record,
    outcome,
    requestId: caller.requestId,
    ...(reason === undefined ? {} : { reason }),
  });
}
