import { AppError } from "../errors";
import type { SmsGatewayError } from "../sms/smsGateway";

/** Failures after which the patient may have received the text: never retried, never undone. */
export function mayHaveBeenSent(err: unknown): err is AppError {
  return (
    err instanceof AppError &&
    (err.code === "SEND_OUTCOME_UNKNOWN" || err.code === "SENT_NOT_RECORDED")
  );
}

export function sentNotRecorded(): AppError {
  return new AppError(
    "SENT_NOT_RECORDED",
    "the message was sent but could not be recorded; do not send it again",
  );
}

/** What the agent is told when End User Messaging refused or did not answer a send. */
export function gatewayFailure(err: SmsGatewayError): AppError {
  switch (err.kind) {
    case "opted_out":
      return new AppError("DESTINATION_OPTED_OUT", "the destination number is on the opt-out list");
    case "spend_limit":
      return new AppError("SPEND_LIMIT_REACHED", "the monthly SMS spend limit is reached");
    case "quota_exceeded":
      return new AppError("SMS_QUOTA_EXCEEDED", "an End User Messaging quota is reached");
    case "throttled":
      return new AppError("SMS_THROTTLED", "End User Messaging kept throttling; retry later");
    case "rejected":
      return new AppError(
        "SMS_REJECTED",
        `End User Messaging refused the message (${err.awsCode})`,
      );
    case "unknown":
      return new AppError(
        "SEND_OUTCOME_UNKNOWN",
        "End User Messaging did not answer clearly; the message may have been sent",
      );
  }
}
