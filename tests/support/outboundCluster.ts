import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateScheduleGroupCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { ScanCommand, type AttributeValue } from "@aws-sdk/client-dynamodb";
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { OutboundQueue, QueueStats } from "../../runtime/src/outbound/outboundQueue";
import { openOutboundQueue } from "../../runtime/src/outbound/queue/openOutboundQueue";
import { openSqliteDatabase } from "../../runtime/src/store/sqliteDriver";
import { createEmulatorStoreTable, emulatorDynamoDbClient } from "./dynamoDbTable";
import { startDynamoDbEmulator, startEmulator, TEST_CREDENTIALS } from "./motoServer";
import { startRuntime, type RuntimeProcess } from "./runtimeProcess";
import { SmsVoicePeer } from "./smsVoicePeer";

export const CLUSTER_AGENT_TOKEN = "outbound-cluster-agent-token-0123456789";
const OUR_NUMBER = "+18445550111";
const REGION = "us-east-1";
const SCHEDULER_ROLE_ARN = "arn:aws:iam::123456789012:role/eum-sms-scheduler";

/**
 * Where the processes share their sends: DynamoDB + SQS (+ Scheduler) on moto, as in AWS, or one
 * SQLite store file and the SQLite queue file beside it, as `npm start` on one host.
 */
export type ClusterBackend = "dynamodb-sqs" | "sqlite";

export interface OutboundClusterOptions {
  backend: ClusterBackend;
  processes: number;
  /** The number's parts per second: the runtimes' SMS_MAX_PARTS_PER_SECOND and the peer's limit. */
  partsPerSecond: number;
  /** The repository to run the built runtime from (benchmarks compiled into dist/bench). */
  root?: string;
  env?: Record<string, string>;
}

/** One item of `POST /v1/messages/batch`. */
export interface BatchSend {
  to: string;
  body: string;
  idempotencyKey: string;
  timeZone?: string;
}

export interface BatchItemResult {
  index: number;
  status: string;
  sendId?: string;
  messageId?: string;
  code?: string;
  /** An item's error: the HTTP status the same send alone would have answered. */
  httpStatus?: number;
}

/** What `GET /v1/messages/:id` says of a send, in the fields a fault test compares. */
export interface SendView {
  sendId: string;
  messageId: string;
  status: string;
  attempts: { outcome: string; messageId?: string }[];
}

/**
 * Several runtime processes, as tasks behind the load balancer, sharing one outbound queue and one
 * store, all sending through one End User Messaging contract peer that throttles above the
 * number's parts per second. The test's own handle on the queue reads its depth.
 */
export class OutboundCluster {
  readonly peer = new SmsVoicePeer();
  readonly runtimes: RuntimeProcess[] = [];
  private queue: OutboundQueue | undefined;
  /** Lists every send record's id straight from the shared store (see `storedSendIds`). */
  private listSendIds: (() => Promise<string[]>) | undefined;
  private readonly cleanups: (() => Promise<void> | void)[] = [];

  constructor(readonly options: OutboundClusterOptions) {}

  async start(): Promise<this> {
    const peerUrl = await this.peer.start();
    this.peer.modes.throttleAbovePartsPerSecond = this.options.partsPerSecond;
    this.cleanups.push(() => this.peer.stop());
    const shared = await (this.options.backend === "dynamodb-sqs"
      ? this.awsBackend()
      : this.sqliteBackend());
    const env: Record<string, string> = {
      USE_MOCK_SMS: "false",
      AWS_SMS_ORIGINATION_NUMBER: OUR_NUMBER,
      AWS_SMS_CONFIGURATION_SET: "eum-sms-outbound-cluster",
      AGENT_API_TOKEN: CLUSTER_AGENT_TOKEN,
      EVENTBRIDGE_API_KEY: "outbound-cluster-eventbridge-key-0123456789",
      PATIENT_REF_KEY: "outbound-cluster-patient-ref-key-0123",
      SNS_ALLOWED_TOPIC_ARNS: "arn:aws:sns:us-east-1:123456789012:eum-sms-outbound-cluster",
      AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2: peerUrl,
      SMS_MAX_PARTS_PER_SECOND: String(this.options.partsPerSecond),
      // Tests run at any hour; the flows with quiet hours are tests/outbound's.
      QUIET_HOURS: "off",
      FREQUENCY_CAP: "none",
      REQUIRE_CONSENT: "false",
      LOG_LEVEL: "warn",
      ...shared,
      ...this.options.env,
    };
    const started = await Promise.all(
      Array.from({ length: this.options.processes }, () =>
        startRuntime(env, undefined, this.options.root),
      ),
    );
    this.runtimes.push(...started);
    return this;
  }

  /**
   * A table in a serial DynamoDB moto, a queue and a schedule group in a threaded one, both the
   * cluster's own. Its transactions copy a growing table: on the run's shared serial moto, another
   * suite's requests waited behind them (a 1 s test took over 30 s).
   */
  private async awsBackend(): Promise<Record<string, string>> {
    const [emulator, dynamoDb] = await Promise.all([
      startEmulator({ own: true }),
      startDynamoDbEmulator({ own: true }),
    ]);
    this.cleanups.push(
      () => emulator.stop(),
      () => dynamoDb.stop(),
    );
    const name = `eum-sms-faults-${randomUUID().slice(0, 8)}`;
    await createEmulatorStoreTable(dynamoDb.endpoint, name);
    this.listSendIds = async () => {
      const client = emulatorDynamoDbClient(dynamoDb.endpoint);
      try {
        const ids: string[] = [];
        let start: Record<string, AttributeValue> | undefined;
        do {
          const page = await client.send(
            new ScanCommand({
              TableName: name,
              ProjectionExpression: "pk",
              FilterExpression: "begins_with(pk, :send)",
              ExpressionAttributeValues: { ":send": { S: "SEND#" } },
              ...(start ? { ExclusiveStartKey: start } : {}),
            }),
          );
          for (const item of page.Items ?? []) ids.push(String(item.pk?.S).slice("SEND#".length));
          start = page.LastEvaluatedKey;
        } while (start);
        return ids;
      } finally {
        client.destroy();
      }
    };
    const clientConfig = {
      region: REGION,
      endpoint: emulator.endpoint,
      credentials: TEST_CREDENTIALS,
    };
    const sqs = new SQSClient(clientConfig);
    const scheduler = new SchedulerClient(clientConfig);
    try {
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }),
      );
      await scheduler.send(new CreateScheduleGroupCommand({ Name: name }));
      const queueSettings = {
        queueUrl: QueueUrl!,
        queueArn: Attributes!.QueueArn!,
        scheduleGroup: name,
        schedulerRoleArn: SCHEDULER_ROLE_ARN,
      };
      this.queue = await openOutboundQueue(
        { kind: "sqs", ...queueSettings, region: REGION },
        { endpoint: emulator.endpoint, credentials: TEST_CREDENTIALS },
      );
      return {
        STORE: `dynamodb:${name}`,
        AWS_ENDPOINT_URL_DYNAMODB: dynamoDb.endpoint,
        AWS_ENDPOINT_URL_SQS: emulator.endpoint,
        AWS_ENDPOINT_URL_SCHEDULER: emulator.endpoint,
        OUTBOUND_QUEUE_URL: queueSettings.queueUrl,
        OUTBOUND_QUEUE_ARN: queueSettings.queueArn,
        SEND_SCHEDULE_GROUP: queueSettings.scheduleGroup,
        SEND_SCHEDULER_ROLE_ARN: queueSettings.schedulerRoleArn,
      };
    } finally {
      sqs.destroy();
      scheduler.destroy();
    }
  }

  /** One store file; the runtime puts its queue file beside it (outbound-queue.db). */
  private async sqliteBackend(): Promise<Record<string, string>> {
    const dir = mkdtempSync(join(tmpdir(), "eum-sms-cluster-"));
    this.cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    this.queue = await openOutboundQueue({ kind: "sqlite", path: join(dir, "outbound-queue.db") });
    this.listSendIds = async () => {
      const db = openSqliteDatabase(join(dir, "sms.db"));
      try {
        db.exec("PRAGMA busy_timeout = 5000");
        return db
          .prepare("SELECT send_id FROM sends")
          .all()
          .map((row) => String((row as { send_id: unknown }).send_id));
      } finally {
        db.close();
      }
    };
    return { STORE: `sqlite:${join(dir, "sms.db")}` };
  }

  agent(process: number, method: "GET" | "POST", path: string, body?: object): Promise<Response> {
    const runtime = this.runtimes[process];
    if (!runtime) throw new Error(`no runtime process ${process}`);
    return fetch(`${runtime.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${CLUSTER_AGENT_TOKEN}`,
        ...(body ? { "content-type": "application/json" } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  }

  /** One `POST /v1/messages/batch` to `process`; throws unless it answers 200 with every item. */
  async sendBatch(process: number, messages: BatchSend[]): Promise<BatchItemResult[]> {
    let response: Response;
    try {
      response = await this.agent(process, "POST", "/v1/messages/batch", { messages });
    } catch (err) {
      throw new Error(
        `batch to process ${process} failed (${String(err)}): ${this.outputTail(process)}`,
      );
    }
    const text = await response.text();
    if (response.status !== 200) {
      throw new Error(`batch answered ${response.status}: ${text.slice(0, 300)}`);
    }
    const { results } = JSON.parse(text) as { results: BatchItemResult[] };
    if (results.length !== messages.length) {
      throw new Error(`batch of ${messages.length} answered ${results.length} results`);
    }
    return results;
  }

  /**
   * A batch as a careful agent sends it: items answered 5xx (the service could not store them;
   * nothing to rely on) or 409 `IDEMPOTENCY_IN_PROGRESS` (the earlier try of that key, answered
   * 5xx when the store timed out, is still running) go again with the same idempotency keys, up
   * to `rounds` times, waiting longer each round. An item answered `SEND_OUTCOME_UNKNOWN` (502,
   * or 409 on a repeat) is not sent again: the text may have left, and the agent checks first.
   * Answers every item's final result and how many re-sends it took.
   */
  async sendBatchWithRetries(
    process: number,
    messages: BatchSend[],
    rounds = 5,
  ): Promise<{ results: BatchItemResult[]; retried: number }> {
    const results = await this.sendBatch(process, messages);
    let retried = 0;
    for (let round = 0; round < rounds; round += 1) {
      const again = results
        .map((r, i) => ({ r, i }))
        .filter(
          ({ r }) =>
            r.status === "error" &&
            r.code !== "SEND_OUTCOME_UNKNOWN" &&
            ((r.httpStatus ?? 500) >= 500 || r.code === "IDEMPOTENCY_IN_PROGRESS"),
        );
      if (again.length === 0) break;
      retried += again.length;
      await new Promise((r) => setTimeout(r, 500 * (round + 1)));
      const answers = await this.sendBatch(
        process,
        again.map(({ i }) => messages[i]!),
      );
      again.forEach(({ i }, k) => (results[i] = { ...answers[k]!, index: i }));
    }
    return { results, retried };
  }

  /** The last lines a process wrote, for a failure's message. */
  outputTail(process: number, lines = 20): string {
    return (this.runtimes[process]?.output ?? []).slice(-lines).join("\n");
  }

  /** Every send's view through `process`'s agent API, a few requests at a time. */
  async sendViews(process: number, sendIds: readonly string[]): Promise<Map<string, SendView>> {
    const views = new Map<string, SendView>();
    let next = 0;
    const work = async (): Promise<void> => {
      for (let i = next++; i < sendIds.length; i = next++) {
        const id = sendIds[i]!;
        const response = await this.agent(process, "GET", `/v1/messages/${id}`);
        if (response.status !== 200) {
          throw new Error(`GET /v1/messages/${id} answered ${response.status}`);
        }
        views.set(id, (await response.json()) as SendView);
      }
    };
    await Promise.all(Array.from({ length: 8 }, () => work()));
    return views;
  }

  /**
   * The id of every send record in the shared store, read past the service: a batch item answered
   * `SEND_OUTCOME_UNKNOWN` carries no send id, and this is how a test finds its record.
   */
  storedSendIds(): Promise<string[]> {
    if (!this.listSendIds) throw new Error("the cluster is not started");
    return this.listSendIds();
  }

  queueStats(): Promise<QueueStats> {
    if (!this.queue) throw new Error("the cluster is not started");
    return this.queue.stats();
  }

  /**
   * Resolves when the queue holds nothing (visible, in flight or delayed) twice in a row a
   * second apart, or throws at `timeoutMs` with the last figures.
   */
  async waitForEmptyQueue(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let emptyBefore = false;
    let last: QueueStats | undefined;
    for (;;) {
      last = await this.queueStats();
      const empty = last.visible + last.inFlight + last.delayed === 0;
      if (empty && emptyBefore) return;
      emptyBefore = empty;
      if (Date.now() > deadline) {
        throw new Error(`the queue did not drain within ${timeoutMs} ms: ${JSON.stringify(last)}`);
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  /** Waits until `condition` holds (checked every 50 ms), or throws at `timeoutMs`. */
  async waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.runtimes.map((r) => r.stop("SIGKILL")));
    await this.queue?.close();
    for (const cleanup of this.cleanups.reverse()) await cleanup();
  }
}
