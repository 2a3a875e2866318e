/**
 * A send the agent asked for, from acceptance to its end: what the queue, the worker, the rules
 * and `GET /v1/messages/:id` share. The queue carries only `sendId`; everything else lives in
 * this record in the store.
 */

/**
 * - `queued`: due now, waiting for the number's rate.
 * - `scheduled`: the agent's `sendAt` is in the future.
 * - `deferred`: a rule (quiet hours, registration) moved it to `dueAt`.
 * - `sending`: a worker holds it (`leaseToken`); the gateway may be being called.
 * - `sent`: End User Messaging accepted it (`providerMessageId`); delivery follows in events.
 * - `denied`: a rule refused it at send time (consent revoked, opted out, cap reached).
 * - `failed`: End User Messaging refused it, or a temporary carrier failure ran out of retries.
 * - `cancelled`: the agent cancelled it before it was sent.
 * - `unknown`: the gateway call's outcome is unknown; never re-sent blindly.
 */
export type SendStatus =
  | "queued"
  | "scheduled"
  | "deferred"
  | "sending"
  | "sent"
  | "denied"
  | "failed"
  | "cancelled"
  | "unknown";

/** Statuses from which a send may still be claimed by a worker or cancelled by the agent. */
export const WAITING_STATUSES: readonly SendStatus[] = ["queued", "scheduled", "deferred"];
/** Statuses that end a send; its destination and text are erased on entering one. */
export const FINAL_STATUSES: readonly SendStatus[] = [
  "sent",
  "denied",
  "failed",
  "cancelled",
  "unknown",
];

/** The ids of the rules that decide sends; stable, cited in audit events and in the API. */
export type RuleId =
  | "quiet-hours.default"
  | `quiet-hours.state.${string}`
  | "quiet-hours.request-time-zone"
  | "quiet-hours.area-code"
  | "consent.required"
  | "opt-out.stop"
  | "frequency-cap.rolling"
  | "registration.active"
  | "send-at.requested";

/** What the rules decided for one send at one time. */
export type Verdict =
  | { decision: "allow"; ruleIds: RuleId[]; decidedAt: string }
  | { decision: "defer"; until: string; ruleIds: RuleId[]; decidedAt: string }
  | {
      decision: "deny";
      /** An `ERROR_CODES` key: CONSENT_REQUIRED, FREQUENCY_CAP_REACHED, PATIENT_OPTED_OUT. */
      code: string;
      ruleIds: RuleId[];
      decidedAt: string;
      /** For the frequency cap: when the oldest counted send leaves the window. */
      clearsAt?: string;
    };

/** One try at End User Messaging, kept in the record (the first send and carrier retries). */
export interface SendAttempt {
  /** When the gateway was called. */
  at: string;
  outcome: "sent" | "rejected" | "unknown";
  providerMessageId?: string;
  /** The gateway's error code (never a message, which could hold the number). */
  code?: string;
  /** The final delivery status of this attempt when one arrived (TEXT_DELIVERED, ...). */
  deliveryStatus?: string;
}

/** What the send is for: the rules treat an agent message and a slots message alike today. */
export type SendPurpose = "message" | "conversation";

export interface ScheduledSend {
  /** `send-<uuid>`: the id the agent holds until (and after) the text leaves. */
  sendId: string;
  patientRef: string;
  /**
   * The destination and the text: PHI, kept only while the send can still happen (the table is
   * encrypted with the stack's key), erased when the send reaches a final status.
   */
  to?: string;
  body?: string;
  purpose: SendPurpose;
  conversationId?: string;
  /** IANA zone the agent gave; otherwise the rules infer it from the number's area code. */
  timeZone?: string;
  /** Consent scope the send needs (e.g. "appointment-reminders"). */
  consentScope?: string;
  status: SendStatus;
  /** The agent's `sendAt`, or the acceptance time. */
  requestedAt: string;
  /** When the send is next due (after deferrals and retries). */
  dueAt: string;
  createdAt: string;
  updatedAt: string;
  /** The newest verdict; every verdict is also an audit event. */
  verdict?: Verdict;
  attempts: SendAttempt[];
  /** End User Messaging's MessageId of the newest attempt that was accepted. */
  providerMessageId?: string;
  /** The worker that holds it while `sending`, and until when. */
  leaseToken?: string;
  leaseUntil?: string;
  /**
   * Set (in the store) immediately before the gateway is called under `leaseToken`: a lease that
   * expired without it certainly sent nothing and may be claimed again; one with it is `unknown`.
   */
  callStartedAt?: string;
  /** The agent request that asked for it (request id only, for audit). */
  requestId: string;
  /** Who asked (the caller's principal as audit events name it). */
  principal: string;
  /** Record expiry (TTL), as for the other records. */
  expiresAt: string;
}

/** A patient's consent to a scope of messages, with its provenance; newest `at` wins. */
export interface ConsentRecord {
  patientRef: string;
  scope: string;
  granted: boolean;
  /** Where it came from: "agent", "keyword:STOP", "keyword:START", an EHR name... */
  source: string;
  /** When the patient gave (or revoked) it, as the source says. */
  capturedAt: string;
  /** An opaque reference to the evidence (a form id): never PHI. */
  evidenceRef?: string;
  /** When this service recorded it; the version that orders concurrent changes. */
  at: string;
}
