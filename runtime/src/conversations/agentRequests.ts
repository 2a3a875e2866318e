import { AppError } from "../errors";
import type { SendTimingRequest } from "../outbound/sendTiming";
import { isE164PhoneNumber } from "../sms/phoneNumber";

export interface SendMessageRequest extends SendTimingRequest {
  to: string;
  body: string;
  idempotencyKey?: string;
}

export interface StartConversationRequest extends SendTimingRequest {
  to: string;
  slots: string[];
  intro?: string;
  conversationId?: string;
  idempotencyKey?: string;
}

const MAX_BODY_CHARS = 1600; // SendTextMessage's MessageBody limit

/** The numbered slots message, e.g. "Reply with a number:\n1. Tue 3:00 PM\n2. Wed 9:30 AM". */
export function slotsMessage(slots: readonly string[], intro?: string): string {
  const lines = slots.map((slot, i) => `${i + 1}. ${slot}`);
  const header = intro?.trim()
    ? intro.trim()
    : "Please reply with the number of the time that suits you:";
  return [header, ...lines].join("\n");
}

export function validateDestination(to: string): void {
  if (!isE164PhoneNumber(to)) {
    throw new AppError(
      "INVALID_PHONE_NUMBER",
      "to must be a valid phone number in E.164 format, e.g. +14255550100",
    );
  }
}

// Control characters (line breaks, tabs, NEL, escapes) and the Unicode line and paragraph
// separators: a label holding a line break could add fake numbered options to the patient's SMS,
// and a reply to a fake option would not match any slot.
const LINE_BREAK_OR_CONTROL = /[\p{Cc}\u2028\u2029]/u;

export function validateSlotText(slots: readonly string[], intro: string | undefined): void {
  if (slots.some((slot) => LINE_BREAK_OR_CONTROL.test(slot))) {
    throw new AppError(
      "INVALID_SLOTS",
      "slot labels must not hold line breaks or control characters",
    );
  }
  if (intro !== undefined && LINE_BREAK_OR_CONTROL.test(intro)) {
    throw new AppError(
      "INVALID_INTRO",
      "the intro must not hold line breaks or control characters",
    );
  }
}

export function validateBody(body: string): void {
  if (body.trim() === "") throw new AppError("INVALID_BODY", "the message body is empty");
  if (body.length > MAX_BODY_CHARS) {
    throw new AppError("INVALID_BODY", `the message is longer than ${MAX_BODY_CHARS} characters`);
  }
}
