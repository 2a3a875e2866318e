import pino, { type DestinationStream, type Logger } from "pino";
import { isoTimeOncePerMs } from "./lineTime";
import { turnBufferedDestination, type TurnBufferedDestination } from "./turnBufferedDestination";

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
  /**
   * Writes out, synchronously, the events recorded so far. The app calls it before each response
   * leaves, so a request's audit events are written before its answer is.
   */
  flushSync?(): void;
  /** Writes out anything buffered; called at shutdown. */
  close?(): Promise<void>;
}

/**
 * The audit log on stdout (or `destination`). On stdout, events recorded in one event-loop turn
 * are written together (`turnBufferedDestination`): the app flushes them before any response
 * leaves, so a 2xx still follows its audit event onto stdout, for one `write(2)` per batch of
 * requests instead of one per event.
 */
export function createAuditLog(
  destination: DestinationStream | TurnBufferedDestination = turnBufferedDestination(1),
): AuditLog {
  const logger: Logger = pino(
    {
      level: "info",
      base: { logType: "audit", service: "eum-sms-runtime" },
      timestamp: isoTimeOncePerMs(),
    },
    destination,
  );
  const flushSync = "flushSync" in destination ? () => destination.flushSync() : undefined;
  return {
    record(event) {
      logger.info(event, "audit");
    },
    ...(flushSync ? { flushSync } : {}),
  };
}

/** Collects audit events in memory; tests assert on them. */
export class MemoryAuditLog implements AuditLog {
  readonly events: AuditEvent[] = [];
  record(event: AuditEvent): void {
    this.events.push(event);
  }
}
