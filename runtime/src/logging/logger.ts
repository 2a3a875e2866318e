import pino, { type Logger, type DestinationStream } from "pino";
import { serializeError } from "./errorSerializer";
import { censorPhiKeys } from "./phiKeyGuard";
import { isoTimeOncePerMs } from "./lineTime";
import { turnBufferedDestination } from "./turnBufferedDestination";

export { serializeError } from "./errorSerializer";

/**
 * Operational logger. It logs from an allow-list: a name-based filter alone misses PHI nested in
 * JSON strings (the SNS `Message`), in free text and in error stacks, so requests, responses and
 * errors are reduced to fields that cannot hold a phone number or a message body. Every other
 * field, and every child logger's bindings, passes the key guard (`phiKeyGuard.ts`) as a second
 * net for the names that could carry secrets or PHI.
 */
export function createLogger(options: {
  level: string;
  /** stdout, written once per event-loop turn (`turnBufferedDestination`), when unset. */
  destination?: DestinationStream;
}): Logger {
  const logger = pino(
    {
      level: options.level,
      base: { service: "eum-sms-runtime" },
      timestamp: isoTimeOncePerMs(),
      messageKey: "msg",
      serializers: { req: serializeRequest, res: serializeResponse, err: serializeError },
      formatters: { log: censorPhiKeys },
    },
    options.destination ?? turnBufferedDestination(1),
  );
  // pino's `bindings` formatter reaches only the root's own bindings, not a child's (Fastify makes
  // one per request): the guard sits on `child` instead, which every descendant inherits.
  const child = logger.child;
  logger.child = function guardedChild(this: Logger, bindings, childOptions) {
    return child.call(this, censorPhiKeys(bindings), childOptions);
  } as typeof logger.child;
  return logger;
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
