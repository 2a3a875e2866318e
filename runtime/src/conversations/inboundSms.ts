import { AppError } from "../errors";

/**
 * The inbound SMS that End User Messaging publishes to SNS, as the `Message` string
 * (https://docs.aws.amazon.com/sms-voice/latest/userguide/two-way-sms-payload.html). Those six
 * fields are the whole documented schema; each is validated rather than trusted.
 */
export interface InboundSms {
  originationNumber: string;
  destinationNumber: string;
  messageKeyword?: string;
  messageBody: string;
  inboundMessageId: string;
  previousPublishedMessageId?: string;
}

const PHONE = /^\+?[1-9]\d{1,18}$/;
const ID = /^[\w\-+/=.:]{1,256}$/;

export function parseInboundSms(message: string): InboundSms {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    throw new AppError("INVALID_INBOUND_SMS", "SNS Message is not the JSON of an inbound SMS");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new AppError("INVALID_INBOUND_SMS", "inbound SMS must be a JSON object");
  }
  const p = parsed as Record<string, unknown>;
  const field = (name: string, pattern: RegExp, required: boolean): string | undefined => {
    const value = p[name];
    if (value === undefined || value === null || value === "") {
      if (required) throw new AppError("INVALID_INBOUND_SMS", `inbound SMS lacks ${name}`);
      return undefined;
    }
    if (typeof value !== "string" || !pattern.test(value)) {
      // The field name only: the value may be a phone number.
      throw new AppError("INVALID_INBOUND_SMS", `inbound SMS has a malformed ${name}`);
    }
    return value;
  };
  const body = p.messageBody;
  if (typeof body !== "string" || body.length > 5000) {
    throw new AppError("INVALID_INBOUND_SMS", "inbound SMS has a malformed messageBody");
  }
  const keyword = field("messageKeyword", /^[\s\S]{1,100}$/, false);
  const previous = field("previousPublishedMessageId", ID, false);
  return {
    originationNumber: field("originationNumber", PHONE, true) as string,
    destinationNumber: field("destinationNumber", PHONE, true) as string,
    ...(keyword === undefined ? {} : { messageKeyword: keyword }),
    messageBody: body,
    inboundMessageId: field("inboundMessageId", ID, true) as string,
    ...(previous === undefined ? {} : { previousPublishedMessageId: previous }),
  };
}
