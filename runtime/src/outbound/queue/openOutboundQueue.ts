import type { OutboundQueue } from "../outboundQueue";
import { SqliteOutboundQueue } from "./sqliteOutboundQueue";
import type { QueueLogger } from "./sqsOutboundQueue";

export type OutboundQueueConfig =
  | { kind: "sqlite"; path: string }
  | {
      kind: "sqs";
      queueUrl: string;
      queueArn: string;
      scheduleGroup: string;
      schedulerRoleArn: string;
      region: string;
    };

export interface OpenOutboundQueueOptions {
  logger?: QueueLogger;
  now?: () => Date;
  /** An emulator's endpoint for both clients (tests); AWS's own otherwise. */
  endpoint?: string;
  /** Fixed credentials (an emulator's); the default provider chain otherwise. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/**
 * The queue the configuration names: SQS + Scheduler in AWS, the SQLite table locally. The SQS
 * and Scheduler SDK clients are loaded only for the SQS queue: loading them costs a local or mock
 * start about a tenth of a second of CPU it does not need.
 */
export async function openOutboundQueue(
  config: OutboundQueueConfig,
  options: OpenOutboundQueueOptions = {},
): Promise<OutboundQueue> {
  if (config.kind === "sqlite") {
    return new SqliteOutboundQueue(config.path, { now: options.now });
  }
  assertSqsConfig(config);
  const [{ SQSClient }, { SchedulerClient }, { SqsOutboundQueue }] = await Promise.all([
    import("@aws-sdk/client-sqs"),
    import("@aws-sdk/client-scheduler"),
    import("./sqsOutboundQueue"),
  ]);
  const clientConfig = {
    region: config.region,
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
  };
  return new SqsOutboundQueue(config, {
    sqs: new SQSClient(clientConfig),
    scheduler: new SchedulerClient(clientConfig),
    now: options.now,
    logger: options.logger,
    ownsClients: true,
  });
}

/** Each setting by the environment variable that carries it (docs/outbound-queue.md). */
const SQS_SETTINGS: {
  key: "queueUrl" | "queueArn" | "scheduleGroup" | "schedulerRoleArn" | "region";
  env: string;
  shape: RegExp;
  example: string;
}[] = [
  {
    key: "queueUrl",
    env: "OUTBOUND_QUEUE_URL",
    shape: /^https?:\/\/\S+$/,
    example: "https://sqs.us-east-1.amazonaws.com/123456789012/eum-sms-outbound",
  },
  {
    key: "queueArn",
    env: "OUTBOUND_QUEUE_ARN",
    shape: /^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}$/,
    example: "arn:aws:sqs:us-east-1:123456789012:eum-sms-outbound",
  },
  {
    key: "scheduleGroup",
    env: "SEND_SCHEDULE_GROUP",
    shape: /^[0-9a-zA-Z_.-]{1,64}$/,
    example: "eum-sms-sends",
  },
  {
    key: "schedulerRoleArn",
    env: "SEND_SCHEDULER_ROLE_ARN",
    shape: /^arn:aws[a-z-]*:iam::\d{12}:role\/\S+$/,
    example: "arn:aws:iam::123456789012:role/eum-sms-scheduler",
  },
  { key: "region", env: "AWS_REGION", shape: /^[a-z]{2}(-[a-z]+)+-\d$/, example: "us-east-1" },
];

function assertSqsConfig(config: Extract<OutboundQueueConfig, { kind: "sqs" }>): void {
  for (const setting of SQS_SETTINGS) {
    const value = config[setting.key];
    if (typeof value !== "string" || !setting.shape.test(value)) {
      throw new Error(
        `${setting.env} is ${value ? "malformed" : "missing"}: the SQS outbound queue needs it (e.g. ${setting.example}); unset OUTBOUND_QUEUE_URL to use the embedded SQLite queue`,
      );
    }
  }
}
