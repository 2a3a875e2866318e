import { randomUUID } from "node:crypto";
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
} from "fastify";
import type { Logger } from "pino";
import { ConversationService } from "./conversations/conversationService";
import { patientRefFunction } from "./conversations/patientRef";
import { AppError, badRequest, StoreUnavailableError } from "./errors";
import type { AuditLog } from "./logging/audit";
import { registerAgentApi } from "./routes/agentApi";
import { registerHealthRoutes } from "./routes/health";
import { registerWebhook } from "./routes/webhook";
import type { NumberReadiness } from "./sms/numberReadiness";
import type { SmsGateway } from "./sms/smsGateway";
import { SmsSender } from "./sms/smsSender";
import type { CertificateSource } from "./sns/certificateSource";
import type { SubscriptionConfirmer } from "./sns/subscriptionConfirmer";
import type { ConversationStore } from "./store/conversationStore";

export interface AppConfig {
  agentApiToken: string;
  snsAllowedTopicArns: readonly string[];
  eventBridgeApiKey: string | undefined;
  eventBridgeApiKeyHeader: string;
  originationIdentity: string | undefined;
  configurationSet: string | undefined;
  maxPartsPerSecond: number;
  selfManagedOptOuts: boolean;
  patientRefKey: string;
  conversationTtlDays: number;
  keywordReplies: { help: string; stop: string; start: string };
}

export interface AppDeps {
  config: AppConfig;
  store: ConversationStore;
  gateway: SmsGateway;
  certificates: CertificateSource;
  subscriptionConfirmer: SubscriptionConfirmer;
  logger: Logger;
  audit: AuditLog;
  now?: () => Date;
  /** Overrides for the sender's pacing and retries (tests use a fake clock). */
  sender?: SmsSender;
  /** The origination number's readiness, shown on /readyz (absent in mock mode). */
  numberReadiness?: { current(): NumberReadiness };
}

/** Flipped by the shutdown sequence so /readyz fails before the server stops accepting. */
export interface Lifecycle {
  shuttingDown: boolean;
}

export const BODY_LIMIT_BYTES = 64 * 1024;

/**
 * Builds the HTTP service from its collaborators. Tests build it with fakes or emulator-backed
 * parts; `main.ts` with the real ones. No module-level state.
 */
export function buildApp(deps: AppDeps): { app: FastifyInstance; lifecycle: Lifecycle } {
  const now = deps.now ?? (() => new Date());
  const lifecycle: Lifecycle = { shuttingDown: false };
  const app: FastifyInstance = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    // Our own onResponse line logs from an allow-list; Fastify's would log the raw URL.
    logController: new LogController({
      disableRequestLogging: true,
      requestIdLogLabel: "requestId",
    }),
    bodyLimit: BODY_LIMIT_BYTES,
    genReqId: () => randomUUID(),
    return503OnClosing: true,
    forceCloseConnections: "idle",
    // ALB idle timeout is 60 s; a shorter keep-alive on our side would race it into 502s.
    keepAliveTimeout: 72_000,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
  });

  const sender =
    deps.sender ??
    new SmsSender({
      gateway: deps.gateway,
      originationIdentity: deps.config.originationIdentity,
      configurationSetName: deps.config.configurationSet,
      partsPerSecond: deps.config.maxPartsPerSecond,
    });
  const service = new ConversationService({
    store: deps.store,
    sender,
    patientRef: patientRefFunction(deps.config.patientRefKey),
    audit: deps.audit,
    log: deps.logger,
    now,
    conversationTtlDays: deps.config.conversationTtlDays,
    selfManagedOptOuts: deps.config.selfManagedOptOuts,
    keywordReplies: deps.config.keywordReplies,
  });

  // SNS posts JSON as text/plain; EventBridge and agents send application/json. One parser
  // serves both so a malformed body gets the same clear 400 whatever its declared type, and the
  // parse error (which quotes the body) never reaches a log or a caller.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    ["application/json", "text/plain"],
    { parseAs: "string" },
    (_request, body, done) => {
      try {
        done(null, JSON.parse(body as string));
      } catch {
        done(badRequest("INVALID_JSON", "the request body is not valid JSON"), undefined);
      }
    },
  );

  app.addHook("onSend", async (request, reply) => {
    reply.header("x-request-id", request.id);
    reply.header("cache-control", "no-store");
    // Requests that were in flight when draining began close their keep-alive connection, so
    // close() does not wait on the ALB's idle connections until the stop timeout.
    if (lifecycle.shuttingDown) reply.header("connection", "close");
  });
  app.addHook("onResponse", async (request, reply) => {
    request.log.info(
      { req: request, res: reply, latencyMs: Math.round(reply.elapsedTime * 10) / 10 },
      "request completed",
    );
  });

  app.setErrorHandler((err: FastifyError | AppError | Error, request, reply) => {
    const { statusCode, code, message, headers } = toHttpError(err);
    if (statusCode >= 500) request.log.error({ err }, "request failed");
    else request.log.warn({ err: { type: err.name, code } }, "request rejected");
    void reply.code(statusCode).headers(headers).send({ code, message });
  });
  app.setNotFoundHandler((_request, reply) => {
    void reply.code(404).send({ code: "NOT_FOUND", message: "no such route" });
  });

  registerHealthRoutes(app, {
    store: deps.store,
    lifecycle,
    ...(deps.numberReadiness ? { numberReadiness: deps.numberReadiness } : {}),
  });
  registerWebhook(app, {
    service,
    certificates: deps.certificates,
    subscriptionConfirmer: deps.subscriptionConfirmer,
    allowedTopicArns: deps.config.snsAllowedTopicArns,
    eventBridgeApiKey: deps.config.eventBridgeApiKey,
    eventBridgeApiKeyHeader: deps.config.eventBridgeApiKeyHeader,
    now,
  });
  registerAgentApi(app, { service, agentApiToken: deps.config.agentApiToken });
  return { app, lifecycle };
}

function toHttpError(err: FastifyError | AppError | Error): {
  statusCode: number;
  code: string;
  message: string;
  headers: Record<string, string>;
} {
  if (err instanceof AppError) {
    return {
      statusCode: err.statusCode,
      code: err.code,
      message: err.message,
      headers: { ...err.headers },
    };
  }
  if (err instanceof StoreUnavailableError) {
    // 5xx makes SNS and EventBridge retry: nothing is acknowledged that was not stored.
    return {
      statusCode: 503,
      code: "STORE_UNAVAILABLE",
      message: "the conversation store is unavailable; retry",
      headers: { "retry-after": "5" },
    };
  }
  const fastifyError = err as FastifyError;
  if (fastifyError.validation) {
    return { statusCode: 400, code: "INVALID_REQUEST", message: err.message, headers: {} };
  }
  switch (fastifyError.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return {
        statusCode: 413,
        code: "BODY_TOO_LARGE",
        message: `the body exceeds ${BODY_LIMIT_BYTES} bytes`,
        headers: {},
      };
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return {
        statusCode: 415,
        code: "UNSUPPORTED_MEDIA_TYPE",
        message: "send application/json (or text/plain from SNS)",
        headers: {},
      };
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return {
        statusCode: 400,
        code: "INVALID_BODY",
        message: "the request body is empty or truncated",
        headers: {},
      };
  }
  const status = fastifyError.statusCode;
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
