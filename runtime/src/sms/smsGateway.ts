/** Where text messages leave the service: End User Messaging in AWS, a recorder locally. */
export interface SmsGateway {
  sendText(request: SendTextRequest): Promise<{ messageId: string }>;
  /**
   * Whether the number is on End User Messaging's opt-out list. Absent where there is no such
   * list (the mock gateway); failures throw `SmsGatewayError`.
   */
  isOptedOut?(phoneNumber: string, optOutListName: string): Promise<boolean>;
}

export interface SendTextRequest {
  destinationPhoneNumber: string;
  body: string;
  originationIdentity: string | undefined;
  configurationSetName: string | undefined;
  /**
   * Copied by End User Messaging into delivery events, so it must hold opaque ids only (never PHI).
   */
  context: Readonly<Record<string, string>>;
}

/**
 * A failed send, classified by what the caller may do next:
 * - `throttled`: not sent; safe to retry after a delay.
 * - `opted_out`: not sent; the destination is on the opt-out list.
 * - `spend_limit`: not sent; the monthly spend limit is reached.
 * - `quota_exceeded`: not sent; another account quota (a daily limit, say) is reached.
 * - `rejected`: not sent; the request was refused as invalid or not permitted. Do not retry.
 * - `unknown`: the outcome is not known (timeout, 5xx). The message may have gone out, and
 *   End User Messaging has no idempotency token, so it must not be retried automatically.
 */
export type SmsFailureKind =
  "throttled" | "opted_out" | "spend_limit" | "quota_exceeded" | "rejected" | "unknown";

export class SmsGatewayError extends Error {
  constructor(
    readonly kind: SmsFailureKind,
    /** The AWS exception name and reason, e.g. `ConflictException/DESTINATION_PHONE_NUMBER_OPTED_OUT`. */
    readonly awsCode: string,
    options?: { cause?: unknown },
  ) {
    super(`SMS gateway failure: ${kind} (${awsCode})`, options);
    this.name = "SmsGatewayError";
  }
}
