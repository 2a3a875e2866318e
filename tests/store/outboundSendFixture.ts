import { randomUUID } from "node:crypto";
import type { ScheduledSend } from "../../runtime/src/outbound/sendRecord";

/** The destination and text of `sendRecord`'s sends (PHI-shaped, so tests can look for them). */
export const SEND_TO = "+14255550182";
export const SEND_BODY = "Your appointment is tomorrow at 9:30";
/** When `sendRecord`'s sends were requested, due and created. */
export const SEND_CREATED_AT = "2026-11-24T12:00:00.000Z";

/** A queued send due at `SEND_CREATED_AT`, with a fresh id; `over` replaces any field. */
export const sendRecord = (over: Partial<ScheduledSend> = {}): ScheduledSend => ({
  sendId: `send-${randomUUID()}`,
  patientRef: "patient-ref-hmac",
  to: SEND_TO,
  body: SEND_BODY,
  purpose: "message",
  status: "queued",
  requestedAt: SEND_CREATED_AT,
  dueAt: SEND_CREATED_AT,
  createdAt: SEND_CREATED_AT,
  updatedAt: SEND_CREATED_AT,
  attempts: [],
  requestId: "req-1",
  principal: "agent-1",
  expiresAt: "2099-01-01T00:00:00.000Z",
  ...over,
});
