import pino, { type DestinationStream, type Logger } from "pino";

/**
 * Audit events for HIPAA §164.312(b): who did what to which record, when, and how it ended. They go
 * through their own logger (marked `logType: "audit"`) so the stack can route them to a restricted,
 * long-retention log group apart from operational logs. Records are named by opaque ids only.
 */
export type AuditAction =
  | "sms.send"
  | "conversation.create"
  | "conversation.read"
  | "sms.inbound.recorded"
  | "optout.recorded"
  | "optin.recorded"
  | "optout.read"
  | "delivery.status.recorded"
  // the outbound queue (issue 12): a verdict per decision, consents, cancels, outcomes
  | "send.verdict"
  | "send.cancelled"
  | "send.outcome"
  | "patient.consent.granted"
  | "patient.consent.revoked";

export type AuditOutcome = "success" | "denied" | "rejected" | "error" | "duplicate";

export interface AuditEvent {
  actor: string;
  action: AuditAction;
  /** e.g. `conversation:<id>`, `message:<id>`, `patient:<patientRef>` */
  record: string;
  outcome: AuditOutcome;
  requestId?: string;
  reason?: string;
}

export interface AuditLog {
  record(event: AuditEvent): void;
  /** Writes out anything buffered; called at shutdown. */
  close?(): Promise<void>;
}

export function createAuditLog(destination?: DestinationStream): AuditLog {
  const logger: Logger = pino(
    {
      level: "info",
      base: { logType: "audit", service: "eum-sms-runtime" },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
  return {
    record(event) {
      logger.info(event, "audit");
    },
  };
}

/** Collects audit events in memory; tests assert on them. */
export class MemoryAuditLog implements AuditLog {
  readonly events: AuditEvent[] = [];
  record(event: AuditEvent): void {
    this.events.push(event);
  }
}
