import type { FastifyError } from "fastify";
import { AppError, DependencyUnavailableError, type ErrorCode } from "./errors";

/** An error as the caller receives it: status, headers and the `{code, message}` body. */
export interface HttpError {
  statusCode: number;
  code: ErrorCode;
  message: string;
  headers: Record<string, string>;
}

/**
 * The one mapping from errors to answers, used by the HTTP error handler and the MCP tool
 * errors. Codes and statuses come from the registry; anything unexpected is INTERNAL, never its
 * own message, which might quote input.
 */
export function toHttpError(err: unknown, bodyLimitBytes?: number): HttpError {
  const known = toAppError(err, bodyLimitBytes);
  if (known) {
    return {
      statusCode: known.statusCode,
      code: known.code,
      message: known.message,
      headers: { ...known.headers },
    };
  }
  // Fastify's other client errors keep their own status, under one code.
  const status = (err as Partial<FastifyError> | undefined)?.statusCode;
  if (typeof status === "number" && status >= 400 && status < 500) {
    return {
      statusCode: status,
      code: "BAD_REQUEST",
      message: "the request is malformed",
      headers: {},
    };
  }
  return { statusCode: 500, code: "INTERNAL", message: "internal error", headers: {} };
}

function toAppError(err: unknown, bodyLimitBytes: number | undefined): AppError | undefined {
  if (err instanceof AppError) return err;
  if (err instanceof DependencyUnavailableError) {
    // 5xx makes SNS and EventBridge retry: nothing is acknowledged that was not stored or queued.
    // One code for the store and the queue: an agent does the same for either (retry after
    // Retry-After with the same idempotency key); the message says which for people.
    return new AppError("STORE_UNAVAILABLE", err.callerMessage);
  }
  if (!(err instanceof Error)) return undefined;
  const fastifyError = err as FastifyError;
  if (fastifyError.validation) return new AppError("INVALID_REQUEST", err.message);
  switch (fastifyError.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new AppError(
        "BODY_TOO_LARGE",
        bodyLimitBytes === undefined
          ? "the body is too large"
          : `the body exceeds ${bodyLimitBytes} bytes`,
      );
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return new AppError(
        "UNSUPPORTED_MEDIA_TYPE",
        "send application/json (or text/plain from SNS)",
      );
    case "FST_ERR_BAD_URL":
      return new AppError("INVALID_URL", "the URL has an invalid percent-encoding");
    case "FST_ERR_MAX_PARAM_LENGTH":
      return new AppError("URI_TOO_LONG", "a path parameter is longer than allowed");
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return new AppError("INVALID_BODY", "the request body is empty or truncated");
  }
  return undefined;
}
