import { AppError } from "../errors";

/**
 * Errors from parsers and the AWS SDK can quote their input (`JSON.parse` shows a snippet of the
 * body; a ValidationException can echo the destination number), so only our own AppError messages
 * are kept. Stack frames are kept without the message line that heads them.
 */
export function serializeError(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { type: typeof err };
  const out: Record<string, unknown> = { type: err.name };
  const withCode = err as Error & { code?: unknown; statusCode?: unknown; $metadata?: unknown };
  if (typeof withCode.code === "string") out.code = withCode.code;
  if (typeof withCode.statusCode === "number") out.statusCode = withCode.statusCode;
  const metadata = withCode.$metadata as
    { httpStatusCode?: number; requestId?: string } | undefined;
  if (metadata)
    out.aws = { httpStatusCode: metadata.httpStatusCode, requestId: metadata.requestId };
  if (err instanceof AppError) out.message = err.message;
  if (err.stack) {
    out.stack = err.stack
      .split("\n")
      .filter((line) => line.startsWith("    at "))
      .join("\n");
  }
  if (err.cause !== undefined) out.cause = serializeError(err.cause);
  return out;
}
