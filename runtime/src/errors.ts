/**
 * Every error code a caller can receive, with its HTTP status and Retry-After, in one place (as
 * Fastify keeps `lib/errors.js`). Code throws `AppError` with a code and a message; the status
 * and headers come from here, so no throw site chooses them. README's error table is tested
 * against this registry.
 */
interface ErrorSpec {
  status: number;
  /** Seconds for the Retry-After header (503s that clear on their own). */
  retryAfterSeconds?: number;
  /** The status when a retry with the same idempotency key meets the same outcome again. */
  repeatStatus?: number;
}

export const ERROR_CODES = {
  // the request
  INVALID_REQUEST: { status: 400 },
  INVALID_JSON: { status: 400 },
  INVALID_BODY: { status: 400 },
  INVALID_PHONE_NUMBER: { status: 400 },
  INVALID_SLOTS: { status: 400 },
  INVALID_INTRO: { status: 400 },
  INVALID_URL: { status: 400 },
  BAD_REQUEST: { status: 400 },
  UNAUTHORIZED: { status: 401 },
  NOT_FOUND: { status: 404 },
  BODY_TOO_LARGE: { status: 413 },
  URI_TOO_LONG: { status: 414 },
  UNSUPPORTED_MEDIA_TYPE: { status: 415 },
  INVALID_SEND_AT: { status: 400 },
  INVALID_TIME_ZONE: { status: 400 },
  // sending
  PATIENT_OPTED_OUT: { status: 409 },
  // 403, not 409: nothing about the request or the service's state conflicts; the caller is not
  // permitted to text this patient until consent is recorded (retrying the same request fails).
  CONSENT_REQUIRED: { status: 403 },
  FREQUENCY_CAP_REACHED: { status: 429 },
  SEND_NOT_CANCELLABLE: { status: 409 },
  DESTINATION_OPTED_OUT: { status: 409 },
  CONVERSATION_EXISTS: { status: 409 },
  IDEMPOTENCY_IN_PROGRESS: { status: 409 },
  IDEMPOTENCY_KEY_REUSED: { status: 422 },
  SMS_REJECTED: { status: 422 },
  SEND_OUTCOME_UNKNOWN: { status: 502, repeatStatus: 409 },
  SENT_NOT_RECORDED: { status: 502 },
  SPEND_LIMIT_REACHED: { status: 503, retryAfterSeconds: 3600 },
  SMS_QUOTA_EXCEEDED: { status: 503, retryAfterSeconds: 60 },
  SMS_THROTTLED: { status: 503, retryAfterSeconds: 5 },
  OPT_OUT_LIST_UNAVAILABLE: { status: 503, retryAfterSeconds: 5 },
  // the webhook
  UNRECOGNISED_CALLER: { status: 400 },
  INVALID_SNS_MESSAGE: { status: 400 },
  INVALID_INBOUND_SMS: { status: 400 },
  INVALID_EVENT: { status: 400 },
  SNS_UNSUPPORTED_SIGNATURE_VERSION: { status: 400 },
  SNS_BAD_TIMESTAMP: { status: 400 },
  SNS_STALE_TIMESTAMP: { status: 400 },
  SNS_TOPIC_NOT_ALLOWED: { status: 403 },
  SNS_BAD_CERT_URL: { status: 403 },
  SNS_BAD_SIGNATURE: { status: 403 },
  BAD_SUBSCRIBE_URL: { status: 403 },
  SNS_CERT_UNAVAILABLE: { status: 503, retryAfterSeconds: 20 },
  CONFIRMATION_FAILED: { status: 503, retryAfterSeconds: 20 },
  // the service
  STORE_UNAVAILABLE: { status: 503, retryAfterSeconds: 5 },
  INTERNAL: { status: 500 },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_CODES, code);
}

/**
 * An error with a stable code for clients to branch on; `message` is for people and never
 * carries PHI, so it is also safe to log.
 */
export class AppError extends Error {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    readonly code: ErrorCode,
    message: string,
    options: {
      /** A retry meeting an outcome already stored (`repeatStatus`). */
      repeat?: boolean;
      /** Overrides the registry's Retry-After when the thrower knows the wait. */
      retryAfterSeconds?: number;
    } = {},
  ) {
    super(message);
    this.name = "AppError";
    const spec: ErrorSpec = ERROR_CODES[code];
    this.statusCode = (options.repeat ? spec.repeatStatus : undefined) ?? spec.status;
    const retryAfter = options.retryAfterSeconds ?? spec.retryAfterSeconds;
    this.headers = retryAfter === undefined ? {} : { "retry-after": String(retryAfter) };
  }
}

/**
 * A dependency the service cannot work without (the conversation store, the outbound queue) could
 * not be reached or refused an operation. One type, so the HTTP edge maps every such failure to
 * the same 503 with Retry-After (SNS, EventBridge and agents retry; nothing is acknowledged that
 * was not kept), whichever layer throws it. `operation` names the call, never its input;
 * `cause` keeps the engine's error for logs (serialised without its message).
 */
export abstract class DependencyUnavailableError extends Error {
  /** For people, in the answer's `message`: which dependency, never which record. */
  abstract readonly callerMessage: string;

  constructor(
    readonly dependency: string,
    readonly operation: string,
    options?: { cause?: unknown },
  ) {
    super(`${dependency} unavailable during ${operation}`, options);
  }
}

/** The store could not be reached or refused a write: callers answer 5xx so AWS retries. */
export class StoreUnavailableError extends DependencyUnavailableError {
  readonly callerMessage = "the conversation store is unavailable; retry";

  constructor(operation: string, options?: { cause?: unknown }) {
    super("conversation store", operation, options);
    this.name = "StoreUnavailableError";
  }
}
