import { AppError } from "../errors";

/** The optional timing fields of an agent send. */
export interface SendTimingRequest {
  /** ISO 8601 with an offset (`2026-12-01T09:00:00-05:00` or `...Z`). */
  sendAt?: string;
  /** IANA zone of the patient, overriding the one inferred from the area code. */
  timeZone?: string;
  consentScope?: string;
}

/** A sendAt this far in the past still means "now" (clock skew, a slow retry). */
const PAST_TOLERANCE_MS = 60_000;
/**
 * The furthest a send may be scheduled. SQS and Scheduler would hold it longer, but a send
 * record (with the destination and text) should not sit for months; 30 days covers reminders.
 */
export const MAX_SCHEDULE_AHEAD_MS = 30 * 24 * 60 * 60 * 1000;

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const IANA_ZONE = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+){0,2}$/;

/** Checks `sendAt` and `timeZone`; returns the send time when it is in the future. */
export function parseSendTiming(
  timing: SendTimingRequest,
  now: Date,
): { sendAt: Date | undefined } {
  if (timing.timeZone !== undefined && !isTimeZone(timing.timeZone)) {
    throw new AppError(
      "INVALID_TIME_ZONE",
      "timeZone must be an IANA time zone name such as America/Chicago",
    );
  }
  if (timing.sendAt === undefined) return { sendAt: undefined };
  const ms = ISO_WITH_OFFSET.test(timing.sendAt) ? Date.parse(timing.sendAt) : Number.NaN;
  if (!Number.isFinite(ms)) {
    throw new AppError(
      "INVALID_SEND_AT",
      "sendAt must be an ISO 8601 time with an offset, e.g. 2026-12-01T09:00:00-05:00",
    );
  }
  if (ms < now.getTime() - PAST_TOLERANCE_MS) {
    throw new AppError("INVALID_SEND_AT", "sendAt is in the past; leave it out to send now");
  }
  if (ms > now.getTime() + MAX_SCHEDULE_AHEAD_MS) {
    throw new AppError("INVALID_SEND_AT", "sendAt is more than 30 days ahead");
  }
  return { sendAt: ms > now.getTime() ? new Date(ms) : undefined };
}

function isTimeZone(zone: string): boolean {
  if (!IANA_ZONE.test(zone)) return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
