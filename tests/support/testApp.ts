import type { FastifyInstance } from "fastify";
import { buildApp, type AppConfig, type Lifecycle } from "../../runtime/src/app";
import { MemoryAuditLog } from "../../runtime/src/logging/audit";
import {
  SmsGatewayError,
  type SendTextRequest,
  type SmsGateway,
} from "../../runtime/src/sms/smsGateway";
import { SmsSender } from "../../runtime/src/sms/smsSender";
import type { SnsSubscriptionMessage } from "../../runtime/src/sns/snsMessage";
import type { SubscriptionConfirmer } from "../../runtime/src/sns/subscriptionConfirmer";
import type { ConversationStore } from "../../runtime/src/store/conversationStore";
import type { OutboundStore } from "../../runtime/src/store/outboundStore";
import { SqliteConversationStore } from "../../runtime/src/store/sqliteStore";
import { localSnsCa, TEST_CERT_URL, TEST_TOPIC_ARN } from "./snsSigner";
import { StaticCertificateSource } from "./staticCertificateSource";
import { capturingLogger } from "./capturingLogger";

export const AGENT_TOKEN = "test-agent-token-0123456789";
export const EVENTBRIDGE_KEY = "test-eventbridge-key-0123456789";
export const OUR_NUMBER = "+18445550100";

/** A gateway that records requests and fails with the scripted kinds first. */
export class ScriptedGateway implements SmsGateway {
  readonly sent: (SendTextRequest & { messageId: string })[] = [];
  readonly failures: SmsGatewayError["kind"][] = [];
  private n = 0;

  async sendText(request: SendTextRequest): Promise<{ messageId: string }> {
    const kind = this.failures.shift();
    if (kind) throw new SmsGatewayError(kind, `Scripted/${kind}`);
    this.n += 1;
    const messageId = `sms-${this.n}-${Math.random().toString(36).slice(2, 8)}`;
    this.sent.push({ ...request, messageId });
    return { messageId };
  }
}

export class RecordingConfirmer implements SubscriptionConfirmer {
  readonly confirmed: SnsSubscriptionMessage[] = [];
  async confirm(message: SnsSubscriptionMessage): Promise<void> {
    this.confirmed.push(message);
  }
}

export interface TestResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  json(): any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface TestRequest {
  method: "GET" | "POST";
  url: string;
  headers?: Record<string, string>;
  payload?: string | object;
}

export interface TestApp {
  app: FastifyInstance;
  /** A real HTTP request to the app listening on loopback. */
  request(request: TestRequest): Promise<TestResponse>;
  baseUrl: string;
  lifecycle: Lifecycle;
  store: ConversationStore & OutboundStore;
  gateway: ScriptedGateway;
  certificates: StaticCertificateSource;
  confirmer: RecordingConfirmer;
  audit: MemoryAuditLog;
  logs: string[];
  /** The routes' schema validators (compiled on first use); `compileAll` compiles them now. */
  validators: { compileAll(): void };
}

export async function buildTestApp(
  options: { config?: Partial<AppConfig>; store?: ConversationStore & OutboundStore } = {},
): Promise<TestApp> {
  const { log: logger, lines: logs } = capturingLogger();
  const store = options.store ?? new SqliteConversationStore(":memory:");
  const gateway = new ScriptedGateway();
  const certificates = new StaticCertificateSource(
    new Map([[TEST_CERT_URL, localSnsCa().certPem]]),
    () => new Date(),
  );
  const confirmer = new RecordingConfirmer();
  const audit = new MemoryAuditLog();
  const config: AppConfig = { ...testAppConfig(), ...options.config };
  const sender = new SmsSender({
    gateway,
    originationIdentity: config.originationIdentity,
    configurationSetName: config.configurationSet,
    // The HTTP tests do not wait for the number's rate (the pacer has tests of its own); the
    // app's queued sends still go through its RatePacer.
    sharedRate: { take: async () => true },
    sleep: async () => undefined,
  });
  const { app, lifecycle, validators } = buildApp({
    config,
    store,
    gateway,
    certificates,
    subscriptionConfirmer: confirmer,
    logger,
    audit,
    sender,
  });
  const baseUrl = await app.listen({ port: 0, host: "127.0.0.1" });
  const request = async (r: TestRequest): Promise<TestResponse> => {
    const res = await fetch(`${baseUrl}${r.url}`, {
      method: r.method,
      headers: r.headers ?? {},
      ...(r.payload === undefined
        ? {}
        : { body: typeof r.payload === "string" ? r.payload : JSON.stringify(r.payload) }),
    });
    const body = await res.text();
    return {
      statusCode: res.status,
      headers: Object.fromEntries(res.headers.entries()),
      body,
      json: () => JSON.parse(body),
    };
  };
  return {
    app,
    request,
    baseUrl,
    lifecycle,
    store,
    gateway,
    certificates,
    confirmer,
    audit,
    logs,
    validators,
  };
}

export const agentHeaders = {
  authorization: `Bearer ${AGENT_TOKEN}`,
  "content-type": "application/json",
};
export const snsHeaders = (type = "Notification") => ({
  "content-type": "text/plain; charset=UTF-8",
  "x-amz-sns-message-type": type,
});

/** The app settings every test app starts from; each test overrides what it is about. */
export function testAppConfig(): AppConfig {
  return {
    agentApiToken: AGENT_TOKEN,
    snsAllowedTopicArns: [TEST_TOPIC_ARN],
    eventBridgeApiKey: EVENTBRIDGE_KEY,
    eventBridgeApiKeyHeader: "x-api-key",
    originationIdentity: OUR_NUMBER,
    configurationSet: "eum-sms-test",
    maxPartsPerSecond: 1000,
    selfManagedOptOuts: false,
    patientRefKey: "test-patient-ref-key-0123456789",
    conversationTtlDays: 30,
    keywordReplies: { help: "HELP reply", stop: "STOP reply", start: "START reply" },
  };
}
