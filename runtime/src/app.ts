import { randomUUID } from "node:crypto";
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from "fastify";
import type { Logger } from "pino";
import { BODY_LIMIT_BYTES } from "./contract/runtimeContract";
import { ConversationService } from "./conversations/conversationService";
import { patientRefFunction } from "./conversations/patientRef";
import { AppError } from "./errors";
import { toHttpError } from "./httpErrors";
import type { AuditLog } from "./logging/audit";
import { registerRequestLine } from "./logging/requestLine";
import { registerMcpEndpoint } from "./mcp/mcpEndpoint";
import { OptOutStatusReader } from "./mcp/optOutStatus";
import { SERVICE_VERSION } from "./mcp/serviceInfo";
import { registerAgentApi } from "./routes/agentApi";
import { registerAgentCard } from "./routes/agentCard";
import { registerHealthRoutes } from "./routes/health";
import { lazyRouteValidators, type LazyRouteValidators } from "./routes/lazyRouteValidators";
import { LocalLoop, registerSimulateRoutes } from "./routes/simulate";
import { registerWebhook } from "./routes/webhook";
import type { Lifecycle } from "./lifecycle";
import { MockSmsGateway } from "./sms/mockSmsGateway";
import type { NumberReadiness } from "./sms/numberReadiness";
import { comparableSecret, type SecretCheck } from "./auth/rotatingSecret";
import type { SmsGateway } from "./sms/smsGateway";
import { SmsSender } from "./sms/smsSender";
import type { CertificateSource } from "./sns/certificateSource";
import type { SubscriptionConfirmer } from "./sns/subscriptionConfirmer";
import type { SendRulesConfig } from "./config";
import type { OutboundQueue } from "./outbound/outboundQueue";
import { SqliteOutboundQueue } from "./outbound/queue/sqliteOutboundQueue";
import { RatePacer } from "./outbound/ratePacer";
import { RegistrationGate } from "./outbound/registrationGate";
import { decideSend as defaultDecideSend } from "./outbound/rules/decideSend";
import { withoutQuietHours } from "./outbound/quietHoursOff";
import type { DecideSend, SendPolicy } from "./outbound/sendRules";
import { SendWorker } from "./outbound/sendWorker";
import type { ConversationStore } from "./store/conversationStore";
import type { OutboundStore } from "./store/outboundStore";

export interface AppConfig {
  /** A fixed value, or a RotatingSecret that also accepts the previous value for a window. */
  agentApiToken: SecretCheck;
  snsAllowedTopicArns: readonly string[];
  eventBridgeApiKey: SecretCheck | undefined;
  eventBridgeApiKeyHeader: string;
  originationIdentity: string | undefined;
  configurationSet: string | undefined;
  maxPartsPerSecond: number;
  selfManagedOptOuts: boolean;
  patientRefKey: string;
  conversationTtlDays: number;
  keywordReplies: { help: string; stop: string; start: string };
  /** `/v1/simulate/*` and `simulate_user_sms_response`; honoured only with the mock gateway. */
  localLoop?: boolean;
  /** The public origin the A2A agent card names; the request's host when unset. */
  publicBaseUrl?: string | undefined;
  /** End User Messaging opt-out list that `get_opt_out_status` reads ("Default" when unset). */
  optOutListName?: string;
  /** Proxies in front whose `X-Forwarded-For` entry is trusted (1 behind the ALB; 0 for none). */
  trustedProxyHops?: number;
  /** The send rules' settings (issue 12); `NO_SEND_RULES` when unset. */
  sendRules?: SendRulesConfig;
}

/**
 * Without `sendRules` (tests, an embedding), no rule of the stack applies: no consent, no cap and
 * no quiet hours (the states' neither). `main` always passes the configured ones.
 */
export const NO_SEND_RULES: SendRulesConfig = {
  requireConsent: false,
  quietHours: "off",
  frequencyCap: undefined,
};

/** How the outbound queue's worker runs in this task. */
export interface SendWorkerSettings {
  /** False: the worker is built but not started (a test drives it); queued sends wait. */
  enabled?: boolean;
  concurrency?: number;
  pollWaitMs?: number;
  leaseMs?: number;
}

/** How long a registration-gate deferral waits before the rules look again. */
const REGISTRATION_RECHECK_SECONDS = 300;

export interface AppDeps {
  config: AppConfig;
  store: ConversationStore & OutboundStore;
  /** Where due sends wait; an embedded in-memory SQLite queue when unset (tests). */
  queue?: OutboundQueue;
  /** The send rules; `rules/decideSend.ts` when unset. */
  decideSend?: DecideSend;
  worker?: SendWorkerSettings;
  gateway: SmsGateway;
  certificates: CertificateSource;
  subscriptionConfirmer: SubscriptionConfirmer;
  logger: Logger;
  audit: AuditLog;
  now?: () => Date;
  /** Overrides for the sender's pacing and retries (tests use a fake clock). */
  sender?: SmsSender;
  /** Defaults to `DEFAULT_HTTP_TIMEOUTS`; tests shorten them. */
  httpTimeouts?: HttpTimeouts;
  /** The origination number's readiness, shown on /readyz (absent in mock mode). */
  numberReadiness?: { current(): NumberReadiness; refresh?(): Promise<NumberReadiness> };
}

// Re-exported: tests and main know the lifecycle as part of the app they build.
export type { Lifecycle } from "./lifecycle";

/**
 * How long a caller has to send a request. SNS gives up on an endpoint after 15 s and EventBridge
 * API destinations after 5 s, so a request still arriving after these is no genuine caller's: a
 * connection trickling its headers or body is cut instead of being held open.
 */
export interface HttpTimeouts {
  /** The whole request, headers and body (Node `requestTimeout`): 408 and closed after it. */
  requestTimeoutMs: number;
  /** The request headers (Node `headersTimeout`). */
  headersTimeoutMs: number;
  /** An idle kept-alive connection (Node `keepAliveTimeout`). */
  keepAliveTimeoutMs: number;
}

export const DEFAULT_HTTP_TIMEOUTS: HttpTimeouts = {
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  // ALB idle timeout is 60 s; a shorter keep-alive on our side would race it into 502s.
  keepAliveTimeoutMs: 72_000,
};

/**
 * Builds the HTTP service from its collaborators. Tests build it with fakes or emulator-backed
 * parts; `main.ts` with the real ones. No module-level state.
 */
export function buildApp(deps: AppDeps): {
  app: FastifyInstance;
  lifecycle: Lifecycle;
  /** Started with the server unless `worker.enabled` is false (then a test drives `handle`). */
  worker: SendWorker;
  queue: OutboundQueue;
  /** The routes' schema validators, compiled on first use; a test compiles them all. */
  validators: Pick<LazyRouteValidators, "compileAll">;
} {
  const now = deps.now ?? (() => new Date());
  const lifecycle: Lifecycle = { shuttingDown: false };
  const timeouts = deps.httpTimeouts ?? DEFAULT_HTTP_TIMEOUTS;
  const app: FastifyInstance = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    // Our own onResponse line logs from an allow-list; Fastify's would log the raw URL.
    logController: new LogController({
      disableRequestLogging: true,
      requestIdLogLabel: "requestId",
    }),
    bodyLimit: BODY_LIMIT_BYTES,
    genReqId: () => randomUUID(),
    // `request.ip` keys the per-sender certificate-fetch budget: behind the ALB it must be the
    // address the ALB saw (the last X-Forwarded-For entry), not the ALB's own.
    trustProxy: (_address: string, hop: number) => hop < (deps.config.trustedProxyHops ?? 0),
    return503OnClosing: true,
    forceCloseConnections: "idle",
    requestTimeout: timeouts.requestTimeoutMs,
    keepAliveTimeout: timeouts.keepAliveTimeoutMs,
    // A bad `%` escape (400) or an over-long path parameter (414) is refused by the router before
    // any hook runs; Fastify's own answer echoes the raw path, which can hold a phone number.
    // These go through the same contract as every other error: code, no-store, request id, a log
    // line, and nothing of the path.
    frameworkErrors: (err, request, reply) => {
      reply.header("x-request-id", request.id);
      reply.header("cache-control", "no-store");
      sendError(err, request, reply);
    },
  });

  const validators = lazyRouteValidators();
  app.setValidatorCompiler(validators.compiler);

  app.server.headersTimeout = timeouts.headersTimeoutMs;
  // Node checks request and header deadlines only every `connectionsCheckingInterval` (30 s by
  // default), which would let a trickling connection live up to twice its limit. The interval
  // starts at listen, so setting it here takes effect.
  (
    app.server as typeof app.server & { connectionsCheckingInterval: number }
  ).connectionsCheckingInterval = Math.max(
    50,
    Math.min(1000, Math.floor(timeouts.headersTimeoutMs / 4)),
  );

  // The number's rate, shared by every task through the store: the queue's sends and the
  // keyword replies both take from it.
  const rate = new RatePacer({
    store: deps.store,
    identity: deps.config.originationIdentity ?? "default",
    partsPerSecond: deps.config.maxPartsPerSecond,
    now: () => now().getTime(),
  });
  const sender =
    deps.sender ??
    new SmsSender({
      gateway: deps.gateway,
      originationIdentity: deps.config.originationIdentity,
      configurationSetName: deps.config.configurationSet,
      sharedRate: rate,
    });
  const queue = deps.queue ?? new SqliteOutboundQueue(":memory:", { now });
  const rules = deps.config.sendRules ?? NO_SEND_RULES;
  const policy: SendPolicy = {
    requireConsent: rules.requireConsent,
    // With quiet hours off the rules still get a window; their quiet-hours deferrals are dropped.
    quietHours:
      rules.quietHours === "off"
        ? { allowedStart: "00:00", allowedEnd: "24:00" }
        : rules.quietHours,
    frequencyCap: rules.frequencyCap,
    registrationRecheckSeconds: REGISTRATION_RECHECK_SECONDS,
  };
  const registration = new RegistrationGate({
    ...(deps.numberReadiness ? { numberReadiness: deps.numberReadiness } : {}),
    log: deps.logger,
  });
  const leaseMs = deps.worker?.leaseMs ?? 60_000;
  const service = new ConversationService({
    store: deps.store,
    outbound: {
      queue,
      decideSend:
        rules.quietHours === "off"
          ? withoutQuietHours(deps.decideSend ?? defaultDecideSend)
          : (deps.decideSend ?? defaultDecideSend),
      policy,
      registration,
      rate,
      leaseMs,
    },
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
    (request, body, done) => {
      // A DELETE carries no body, but some clients still declare one: nothing is nothing.
      if (body === "" && request.method === "DELETE") {
        done(null, undefined);
        return;
      }
      try {
        done(null, JSON.parse(body as string));
      } catch {
        done(new AppError("INVALID_JSON", "the request body is not valid JSON"), undefined);
      }
    },
  );

  // Callback hooks, not async ones: an async hook costs a promise per request on the hot path.
  app.addHook("onSend", (request, reply, payload, done) => {
    // The audit events of this request (and of the others answered in this turn) are written
    // before its answer leaves.
    deps.audit.flushSync?.();
    reply.header("x-request-id", request.id);
    reply.header("cache-control", "no-store");
    // Requests that were in flight when draining began close their keep-alive connection, so
    // close() does not wait on the ALB's idle connections until the stop timeout.
    if (lifecycle.shuttingDown) reply.header("connection", "close");
    done(null, payload);
  });
  registerRequestLine(app);

  app.setErrorHandler((err: FastifyError | AppError | Error, request, reply) => {
    sendError(err, request, reply);
  });
  app.setNotFoundHandler((_request, reply) => {
    void reply.code(404).send({ code: "NOT_FOUND", message: "no such route" });
  });

  const worker = new SendWorker({
    queue,
    store: deps.store,
    executor: service.sendExecutor,
    audit: deps.audit,
    log: deps.logger,
    now,
    leaseMs,
    ...(deps.worker?.concurrency ? { concurrency: deps.worker.concurrency } : {}),
    ...(deps.worker?.pollWaitMs ? { pollWaitMs: deps.worker.pollWaitMs } : {}),
  });
  app.addHook("onReady", async () => {
    if (deps.worker?.enabled !== false) worker.start();
  });
  app.addHook("onClose", async () => {
    await worker.stop();
    if (!deps.queue) await queue.close();
  });

  registerHealthRoutes(app, {
    store: deps.store,
    lifecycle,
    sendsHeld: () => registration.heldBecause(),
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
  // Hashed once here: every /v1 and /mcp request compares its bearer token with it.
  const agentApiToken = comparableSecret(deps.config.agentApiToken);
  registerAgentApi(app, { service, agentApiToken });
  const localLoop =
    deps.config.localLoop === true && deps.gateway instanceof MockSmsGateway
      ? new LocalLoop(service, deps.gateway)
      : undefined;
  if (localLoop && deps.gateway instanceof MockSmsGateway) {
    registerSimulateRoutes(app, {
      loop: localLoop,
      gateway: deps.gateway,
      agentApiToken,
    });
  }
  registerMcpEndpoint(app, {
    service,
    optOuts: new OptOutStatusReader({
      service,
      gateway: deps.gateway,
      optOutListName: deps.config.optOutListName ?? "Default",
    }),
    localLoop,
    log: deps.logger,
    version: SERVICE_VERSION,
    agentApiToken,
  });
  registerAgentCard(app, { publicBaseUrl: deps.config.publicBaseUrl });
  return { app, lifecycle, worker, queue, validators };
}

function sendError(
  err: FastifyError | AppError | Error,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const { statusCode, code, message, headers } = toHttpError(err, BODY_LIMIT_BYTES);
  if (statusCode >= 500) request.log.error({ err }, "request failed");
  // Not under `err`: the error serializer takes only Error instances and would keep "object".
  else request.log.warn({ errorType: err.name, code, statusCode }, "request rejected");
  void reply.code(statusCode).headers(headers).send({ code, message });
}

/**
 * Drains the server: stops accepting, lets requests that are being handled finish, and after
 * `drainMs` cuts the connections still open (idle or still trickling a request in), so a slow
 * client cannot hold shutdown until the orchestrator's SIGKILL.
 */
export async function drainAndClose(app: FastifyInstance, drainMs: number): Promise<void> {
  const closed = app.close();
  let timer: NodeJS.Timeout | undefined;
  const cut = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      app.server.closeAllConnections();
      resolve();
    }, drainMs);
  });
  try {
    await Promise.race([closed, cut]);
    await closed;
  } finally {
    clearTimeout(timer);
  }
}
