import type { AuditAction, AuditLog, AuditOutcome } from "../logging/audit";

/** Who is asking, for audit events and logs. */
export interface Caller {
  actor: string;
  requestId: string;
  /**
   * Where the request's own log line takes what the service did (the webhook's one line per
   * request); without it the service logs its own line.
   */
  noteOutcome?: (msg: string, fields: Record<string, unknown>) => void;
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
