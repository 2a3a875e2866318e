import { AppError } from "../errors";

/**
 * The End User Messaging events that EventBridge delivers to the webhook through the API
 * destination: the whole event JSON (version, id, detail-type, source, ... detail).
 * https://docs.aws.amazon.com/sms-voice/latest/userguide/monitor-event-bridge.html
 */
export type SmsVoiceEvent =
  | {
      kind: "delivery";
      eventId: string;
      messageId: string;
      status: string;
      final: boolean;
      at: string;
    }
  | { kind: "registration"; eventId: string; registrationId: string; status: string; at: string }
  | { kind: "ignored"; eventId: string; detailType: string };

export const DELIVERY_DETAIL_TYPE = "Text Message Delivery Status Updated";
export const REGISTRATION_DETAIL_TYPE = "Registration Status Change";

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

export function isEventBridgeShaped(body: unknown): boolean {
  return isObject(body) && typeof body["detail-type"] === "string";
}

/**
 * How far ahead of the service's clock an event time may be. Delivery statuses are ordered by
 * their time ("newest wins"), so an event dated far ahead would pin a message's status; a few
 * minutes absorb clock skew between AWS and the task. Such an event is refused (400), not clamped:
 * EventBridge's clock is not minutes off, so only a forged or broken event is dated like that.
 */
export const MAX_EVENT_FUTURE_SKEW_MS = 5 * 60 * 1000;

// Everything the parser returns may be logged, so each field is checked for shape and length:
// only values that look like what AWS sends get through (event ids are UUIDs, message ids are
// opaque tokens, statuses are upper-case words, detail-types are short phrases).
const EVENT_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const MESSAGE_ID = /^[A-Za-z0-9_.:/+=-]{1,128}$/;
const REGISTRATION_ID = /^[A-Za-z0-9_.:-]{1,128}$/;
const STATUS = /^[A-Za-z_]{1,64}$/;
const DETAIL_TYPE = /^[A-Za-z0-9 ._-]{1,128}$/;

export interface ParseEventOptions {
  now: Date;
}

export function parseSmsVoiceEvent(body: unknown, options: ParseEventOptions): SmsVoiceEvent {
  if (!isObject(body)) throw new AppError("INVALID_EVENT", "event must be a JSON object");
  const rawDetailType = body["detail-type"];
  const id = body.id;
  if (typeof rawDetailType !== "string" || typeof id !== "string") {
    throw new AppError("INVALID_EVENT", "event lacks id or detail-type");
  }
  if (!EVENT_ID.test(id)) throw new AppError("INVALID_EVENT", "event id is not an event id");
  // An unknown detail-type is only logged and ignored; one that is not a short phrase is logged
  // as a placeholder rather than as given.
  const detailType = DETAIL_TYPE.test(rawDetailType) ? rawDetailType : "[unrecognised]";
  if (body.source !== "aws.sms-voice") return { kind: "ignored", eventId: id, detailType };
  const detail = body.detail;
  if (!isObject(detail)) throw new AppError("INVALID_EVENT", "event lacks detail");

  if (detailType === DELIVERY_DETAIL_TYPE) {
    const { messageId, messageStatus, isFinal, eventTimestamp } = detail;
    if (typeof messageId !== "string" || messageId === "" || typeof messageStatus !== "string") {
      throw new AppError("INVALID_EVENT", "delivery event lacks messageId or messageStatus");
    }
    if (!MESSAGE_ID.test(messageId) || !STATUS.test(messageStatus)) {
      throw new AppError("INVALID_EVENT", "delivery event messageId or messageStatus is malformed");
    }
    return {
      kind: "delivery",
      eventId: id,
      messageId,
      status: messageStatus,
      final: isFinal === true,
      at: eventTime(eventTimestamp, body.time, options.now),
    };
  }
  if (detailType === REGISTRATION_DETAIL_TYPE) {
    const details = detail.registrationDetails;
    if (!isObject(details) || typeof details.registrationId !== "string") {
      throw new AppError(
        "INVALID_EVENT",
        "registration event lacks registrationDetails.registrationId",
      );
    }
    if (typeof details.currentStatus !== "string") {
      throw new AppError("INVALID_EVENT", "registration event lacks currentStatus");
    }
    if (!REGISTRATION_ID.test(details.registrationId) || !STATUS.test(details.currentStatus)) {
      throw new AppError("INVALID_EVENT", "registration event id or status is malformed");
    }
    return {
      kind: "registration",
      eventId: id,
      registrationId: details.registrationId,
      status: details.currentStatus,
      at: eventTime(details.registrationStatusChangeTimestamp, body.time, options.now),
    };
  }
  return { kind: "ignored", eventId: id, detailType };
}

/**
 * Epoch milliseconds (what the event detail carries) or the envelope's ISO time, as ISO. A time
 * outside the Date range (which `toISOString` cannot render) or too far ahead is a 400, never a
 * 500 that EventBridge would retry in vain.
 */
function eventTime(detailTime: unknown, envelopeTime: unknown, now: Date): string {
  let ms: number | undefined;
  if (typeof detailTime === "number") {
    ms = detailTime;
  } else if (typeof detailTime === "string" && /^\d{1,16}$/.test(detailTime)) {
    ms = Number(detailTime);
  } else if (typeof envelopeTime === "string") {
    ms = Date.parse(envelopeTime);
  }
  if (ms === undefined) throw new AppError("INVALID_EVENT", "event has no usable time");
  // One Date, checked and then rendered (a time outside the Date range is NaN here).
  const time = new Date(ms);
  if (Number.isNaN(time.getTime())) {
    throw new AppError("INVALID_EVENT", "event has no usable time");
  }
  if (ms - now.getTime() > MAX_EVENT_FUTURE_SKEW_MS) {
    throw new AppError("INVALID_EVENT", "event time is too far in the future");
  }
  return time.toISOString();
}
