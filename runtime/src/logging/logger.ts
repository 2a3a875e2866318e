import pino, { type Logger, type DestinationStream } from "pino";
import { AppError } from "../errors";

/**
 * Operational logger. It logs from an allow-list: pino `redact` alone misses PHI nested in JSON
 * strings (the SNS `Message`), in free text and in error stacks, so requests, responses and errors
 * are reduced to fields that cannot hold a phone number or a message body. `redact` stays on as a
 * second net for the header and field names that could carry secrets or PHI.
 */
export function createLogger(options: { level: string; destination?: DestinationStream }): Logger {
  return pino(
    {
      level: options.level,
      base: { service: "eum-sms-runtime" },
      timestamp: pino.stdTimeFunctions.isoTime,
      messageKey: "msg",
      serializers: { req: serializeRequest, res: serializeResponse, err: serializeError },
      redact: {
        paths: [
          "req.headers",
          "headers",
          "body",
          "*.body",
          "messageBody",
          "*.messageBody",
          "to",
          "*.to",
          "phoneNumber",
          "*.phoneNumber",
          "originationNumber",
          "destinationNumber",
          "Message",
          "*.Message",
          "SubscribeURL",
          "Token",
        ],
        censor: "[redacted]",
      },
    },
    options.destination,
  );
}

interface RequestLike {
  id?: unknown;
  method?: unknown;
  routeOptions?: { url?: unknown };
}

function serializeRequest(req: RequestLike): Record<string, unknown> {
  // The route pattern (`/v1/conversations/:id`), never the raw URL or its query string.
  return { id: req.id, method: req.method, route: req.routeOptions?.url };
}

function serializeResponse(res: { statusCode?: unknown }): Record<string, unknown> {
  return { statusCode: res.statusCode };
}

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
