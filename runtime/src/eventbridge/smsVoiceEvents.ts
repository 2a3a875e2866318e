import { badRequest } from "../errors";

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

export function parseSmsVoiceEvent(body: unknown): SmsVoiceEvent {
  if (!isObject(body)) throw badRequest("INVALID_EVENT", "event must be a JSON object");
  const detailType = body["detail-type"];
  const id = body.id;
  if (typeof detailType !== "string" || typeof id !== "string") {
    throw badRequest("INVALID_EVENT", "event lacks id or detail-type");
  }
  if (body.source !== "aws.sms-voice") return { kind: "ignored", eventId: id, detailType };
  const detail = body.detail;
  if (!isObject(detail)) throw badRequest("INVALID_EVENT", "event lacks detail");

  if (detailType === DELIVERY_DETAIL_TYPE) {
    const { messageId, messageStatus, isFinal, eventTimestamp } = detail;
    if (typeof messageId !== "string" || messageId === "" || typeof messageStatus !== "string") {
      throw badRequest("INVALID_EVENT", "delivery event lacks messageId or messageStatus");
    }
    return {
      kind: "delivery",
      eventId: id,
      messageId,
      status: messageStatus,
      final: isFinal === true,
      at: eventTime(eventTimestamp, body.time),
    };
  }
  if (detailType === REGISTRATION_DETAIL_TYPE) {
    const details = detail.registrationDetails;
    if (!isObject(details) || typeof details.registrationId !== "string") {
      throw badRequest(
        "INVALID_EVENT",
        "registration event lacks registrationDetails.registrationId",
      );
    }
    if (typeof details.currentStatus !== "string") {
      throw badRequest("INVALID_EVENT", "registration event lacks currentStatus");
    }
    return {
      kind: "registration",
      eventId: id,
      registrationId: details.registrationId,
      status: details.currentStatus,
      at: eventTime(details.registrationStatusChangeTimestamp, body.time),
    };
  }
  return { kind: "ignored", eventId: id, detailType };
}

/** Epoch milliseconds (what the event detail carries) or the envelope's ISO time, as ISO. */
function eventTime(detailTime: unknown, envelopeTime: unknown): string {
  if (typeof detailTime === "number" && Number.isFinite(detailTime)) {
    return new Date(detailTime).toISOString();
  }
  if (typeof detailTime === "string" && /^\d+$/.test(detailTime)) {
    return new Date(Number(detailTime)).toISOString();
  }
  if (typeof envelopeTime === "string" && !Number.isNaN(Date.parse(envelopeTime))) {
    return new Date(envelopeTime).toISOString();
  }
  throw badRequest("INVALID_EVENT", "event has no usable time");
}
