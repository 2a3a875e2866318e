/**
 * One server under test, in its own process so the load generator does not share its CPU.
 * argv: JSON of {@link ServeSpec}. Prints `listening <url>` on stdout once it accepts requests.
 */
import { readFileSync } from "node:fs";
import type { Server } from "node:http";
import { Writable } from "node:stream";
import { buildApp } from "../runtime/src/app";
import { createAuditLog } from "../runtime/src/logging/audit";
import { createLogger } from "../runtime/src/logging/logger";
import { turnBufferedDestination } from "../runtime/src/logging/turnBufferedDestination";
import { MockSmsGateway } from "../runtime/src/sms/mockSmsGateway";
import { HttpsCertificateSource } from "../runtime/src/sns/certificateSource";
import { SqliteConversationStore } from "../runtime/src/store/sqliteStore";
import { eventBridgeDeliveryBaseline } from "./baselines/eventBridgeDelivery";
import { snsInboundBaseline } from "./baselines/snsInbound";

export interface ServeSpec {
  kind: "app" | "sns-baseline" | "delivery-baseline";
  dbPath: string;
  certPemPath: string;
  topicArn: string;
  apiKey: string;
  apiKeyHeader: string;
  synchronous?: "NORMAL" | "FULL";
  /** app only: log to /dev/null through the real logger ("on") or not at all ("off"). */
  logging?: "on" | "off";
  /** Outbound message ids to create before serving, for delivery events to find. */
  messageIds: string[];
}

/** As `main` logs (both streams): to a file descriptor, a write per event-loop turn; here /dev/null. */
function devNull() {
  return turnBufferedDestination("/dev/null");
}

async function serve(spec: ServeSpec): Promise<string> {
  const certPem = readFileSync(spec.certPemPath, "utf8");
  if (spec.kind !== "app") {
    const server: Server =
      spec.kind === "sns-baseline"
        ? snsInboundBaseline({
            dbPath: spec.dbPath,
            synchronous: spec.synchronous ?? "FULL",
            certPem,
            topicArn: spec.topicArn,
          })
        : eventBridgeDeliveryBaseline({
            dbPath: spec.dbPath,
            synchronous: spec.synchronous ?? "FULL",
            apiKey: spec.apiKey,
            apiKeyHeader: spec.apiKeyHeader,
            messageIds: spec.messageIds,
          });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  }

  const store = new SqliteConversationStore(spec.dbPath);
  const sentAt = new Date().toISOString();
  await Promise.all(
    spec.messageIds.map((messageId) =>
      store.recordOutbound({
        messageId,
        patientRef: "bench-patient",
        parts: 1,
        encoding: "GSM",
        sentAt,
        delivery: { status: "PENDING", final: false, at: "1970-01-01T00:00:00.000Z" },
        expiresAt: "2099-01-01T00:00:00.000Z",
      }),
    ),
  );
  const now = () => new Date();
  const logs = devNull();
  const { app } = buildApp({
    config: {
      agentApiToken: "bench-agent-token-0123456789",
      snsAllowedTopicArns: [spec.topicArn],
      eventBridgeApiKey: spec.apiKey,
      eventBridgeApiKeyHeader: spec.apiKeyHeader,
      originationIdentity: "+18445550100",
      configurationSet: undefined,
      maxPartsPerSecond: 1,
      selfManagedOptOuts: false,
      patientRefKey: "bench-patient-ref-key-0123456789",
      conversationTtlDays: 30,
      keywordReplies: { help: "h", stop: "s", start: "s" },
    },
    store,
    gateway: new MockSmsGateway(),
    certificates: new HttpsCertificateSource({
      now,
      fetch: (async () => new Response(certPem)) as typeof fetch,
    }),
    subscriptionConfirmer: { confirm: async () => undefined },
    // "on": the real serializers and destination (as `main` writes both to stdout), on /dev/null.
    logger:
      spec.logging === "off"
        ? createLogger({
            level: "silent",
            destination: new Writable({ write: (_c, _e, done) => done() }),
          })
        : createLogger({ level: "info", destination: logs }),
    audit: createAuditLog(
      spec.logging === "off" ? new Writable({ write: (_c, _e, done) => done() }) : logs,
    ),
    now,
  });
  return app.listen({ port: 0, host: "127.0.0.1" });
}

// Exit normally on SIGTERM so `--cpu-prof` (for profiling a server by hand) writes its profile.
process.on("SIGTERM", () => process.exit(0));

serve(JSON.parse(process.argv[2] ?? "{}") as ServeSpec).then(
  (url) => console.log(`listening ${url}`),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
