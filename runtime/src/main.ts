// First: the modules below load from the compile cache.
import "./compileCache";
import { hostname } from "node:os";
import type { Logger } from "pino";
import { buildApp, drainAndClose } from "./app";
import { startRotatingCredentials } from "./auth/rotatingSecret";
import { ConfigError, loadConfig, type RuntimeConfig } from "./config";
import { createAuditLog, type AuditLog } from "./logging/audit";
import { createLogger } from "./logging/logger";
import { turnBufferedDestination } from "./logging/turnBufferedDestination";
import { MockSmsGateway } from "./sms/mockSmsGateway";
import type { SmsGateway } from "./sms/smsGateway";
import { HttpsCertificateSource } from "./sns/certificateSource";
import { HttpsSubscriptionConfirmer } from "./sns/subscriptionConfirmer";
import { openOutboundQueue } from "./outbound/queue/openOutboundQueue";
import { openStore } from "./store/openStore";

// ECS sends SIGTERM and waits `stopTimeout` (default 30 s) before SIGKILL.
const SHUTDOWN_TIMEOUT_MS = 25_000;
// Requests being handled get this long to finish; connections still open after it are cut.
const DRAIN_TIMEOUT_MS = 15_000;
// The audit flush gets its own bounded time, also when the shutdown is forced.
const AUDIT_FLUSH_TIMEOUT_MS = 3_000;

async function main(): Promise<void> {
  let config: RuntimeConfig;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }

  // One buffer for both streams on stdout: a turn's operational lines and audit events leave in
  // one write(2) rather than one each (the audit log's flush before each answer takes both).
  const stdout = turnBufferedDestination(1);
  const logger = createLogger({ level: config.logLevel, destination: stdout });
  const stdoutAudit = createAuditLog(stdout);
  const audit = config.auditLogGroup
    ? await cloudWatchAuditLog(config.region, config.auditLogGroup, stdoutAudit, logger)
    : stdoutAudit;
  for (const key of config.devDefaultsUsed) {
    logger.warn({ key }, "using a development default: mock mode only, never for real patients");
  }
  for (const warning of config.warnings) logger.warn(warning);
  if (config.outboundQueue.kind === "sqlite" && config.outboundQueue.path === ":memory:") {
    logger.warn(
      "the outbound queue is in this task's memory: queued and scheduled sends wait only while this task runs; set OUTBOUND_QUEUE_URL, OUTBOUND_QUEUE_ARN, SEND_SCHEDULE_GROUP and SEND_SCHEDULER_ROLE_ARN (the stack's outputs) so that every task shares one durable queue",
    );
  }

  // The AWS SDK clients a configuration does not use are never loaded (a mock, embedded-store
  // start loads none): each client costs tens of milliseconds of a start to load.
  const store = await openStore(config.store, config.region);
  const queue = await openOutboundQueue(
    config.outboundQueue.kind === "sqs"
      ? { ...config.outboundQueue, region: config.region }
      : config.outboundQueue,
    { logger },
  );
  const now = () => new Date();
  const endUserMessaging = config.useMockSms
    ? undefined
    : await openEndUserMessaging(config.region, config.originationIdentity, {
        inboundTopicArn: config.snsAllowedTopicArns[0],
        log: logger,
        now,
      });
  const gateway: SmsGateway = endUserMessaging?.gateway ?? new MockSmsGateway();
  const numberReadiness = endUserMessaging?.numberReadiness;
  numberReadiness?.start();
  // Rotated credentials (issue 14): re-read from Secrets Manager when their ARNs are set.
  const credentials = await startRotatingCredentials(config, (secret, err) =>
    logger.warn(
      { secret, err: String(err) },
      "could not re-read a rotated secret; keeping the last",
    ),
  );
  const { app, lifecycle } = buildApp({
    ...(numberReadiness ? { numberReadiness } : {}),
    config: {
      ...config,
      agentApiToken: credentials.agentApiToken,
      eventBridgeApiKey: credentials.eventBridgeApiKey,
    },
    store,
    queue,
    gateway,
    certificates: new HttpsCertificateSource({
      now,
      maxFetchesPerMinute: config.snsCertFetchesPerMinute,
      maxFetchesPerRequesterPerMinute: config.snsCertFetchesPerSenderPerMinute,
      ...(config.snsCertFetchOverride ? { fetchOrigin: config.snsCertFetchOverride } : {}),
    }),
    subscriptionConfirmer: new HttpsSubscriptionConfirmer(),
    logger,
    audit,
    now,
  });

  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    lifecycle.shuttingDown = true;
    numberReadiness?.stop();
    logger.info({ signal }, "shutting down: draining in-flight requests");
    // Audit events still buffered are written out whatever happens below, within a bound, so a
    // forced or failed shutdown does not lose them.
    let auditFlushed: Promise<void> | undefined;
    const flushAudit = (): Promise<void> =>
      (auditFlushed ??= withTimeout(audit.close?.() ?? Promise.resolve(), AUDIT_FLUSH_TIMEOUT_MS));
    const force = setTimeout(() => {
      logger.error("shutdown timed out; flushing audit events and exiting");
      void flushAudit()
        .catch((err: unknown) => logger.error({ err }, "audit flush failed at forced exit"))
        .finally(() => process.exit(1));
    }, SHUTDOWN_TIMEOUT_MS - AUDIT_FLUSH_TIMEOUT_MS);
    force.unref();
    let code = 0;
    try {
      // Stops accepting, answers 503 to new requests on kept-alive sockets, waits for in-flight
      // ones, and cuts connections still open (idle or trickling) after the drain time. Closing
      // the app also stops the send worker, waiting for the sends under way, before the queue
      // and the store close under it.
      await drainAndClose(app, DRAIN_TIMEOUT_MS);
      await queue.close();
      await store.close();
    } catch (err) {
      logger.error({ err }, "shutdown failed");
      code = 1;
    }
    try {
      await flushAudit();
    } catch (err) {
      logger.error({ err }, "audit flush failed at shutdown");
      code = 1;
    }
    endUserMessaging?.gateway.destroy();
    logger.info({ exitCode: code }, "shutdown complete");
    process.exit(code);
  };
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
  process.once("SIGINT", () => void shutdown("SIGINT"));

  await app.listen({ port: config.port, host: config.host });
  logger.info(
    {
      port: config.port,
      mockSms: config.useMockSms,
      store: config.store.kind,
      outboundQueue: config.outboundQueue.kind,
      selfManagedOptOuts: config.selfManagedOptOuts,
      allowedTopics: config.snsAllowedTopicArns.length,
    },
    "eum-sms runtime listening",
  );
}

/** The audit trail in CloudWatch Logs (stdout when it cannot be written); its SDK loaded here. */
async function cloudWatchAuditLog(
  region: string,
  logGroupName: string,
  fallback: AuditLog,
  log: Logger,
): Promise<AuditLog> {
  const [{ CloudWatchLogsClient }, { CloudWatchAuditLog }] = await Promise.all([
    import("@aws-sdk/client-cloudwatch-logs"),
    import("./logging/cloudWatchAuditLog"),
  ]);
  return new CloudWatchAuditLog({
    client: new CloudWatchLogsClient({ region }),
    logGroupName,
    logStreamName: `runtime/${hostname()}/${Date.now()}`,
    fallback,
    log,
  });
}

/** The End User Messaging gateway, and the origination number's readiness check when one is set. */
async function openEndUserMessaging(
  region: string,
  originationIdentity: string | undefined,
  readiness: { inboundTopicArn: string | undefined; log: Logger; now: () => Date },
) {
  const [{ PinpointSMSVoiceV2Client }, { EndUserMessagingGateway }, { NumberReadinessCheck }] =
    await Promise.all([
      import("@aws-sdk/client-pinpoint-sms-voice-v2"),
      import("./sms/endUserMessagingGateway"),
      import("./sms/numberReadiness"),
    ]);
  return {
    gateway: EndUserMessagingGateway.create(region),
    numberReadiness: originationIdentity
      ? new NumberReadinessCheck({
          client: new PinpointSMSVoiceV2Client({ region }),
          phoneNumberId: originationIdentity,
          ...readiness,
        })
      : undefined,
  };
}

function withTimeout(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work,
    new Promise<void>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

main().catch((err: unknown) => {
  console.error(
    "fatal: the service could not start:",
    err instanceof Error ? err.name : typeof err,
  );
  process.exit(1);
});
