/**
 * The runtime's configuration, read once from the environment and validated as a whole so that a
 * bad deployment fails at start with one line per problem instead of at the first request.
 *
 * Names keep the original setup guide's (`AWS_REGION`, `AWS_SMS_ORIGINATION_NUMBER`,
 * `AWS_SMS_CONFIGURATION_SET`, `USE_MOCK_SMS`) so existing deployments carry over.
 */

import { dirname, join } from "node:path";
import { DEFAULT_API_KEY_HEADER, DEFAULT_PORT } from "./contract/runtimeContract";
import type { OutboundQueueConfig as QueueEngineConfig } from "./outbound/queue/openOutboundQueue";

export type StoreConfig = { kind: "sqlite"; path: string } | { kind: "dynamodb"; table: string };

/**
 * Where due sends wait (issue 12): SQS plus EventBridge Scheduler in AWS (all four settings), or
 * an embedded SQLite queue beside the SQLite store (its own file in the same directory).
 */
export type OutboundQueueConfig = WithoutRegion<QueueEngineConfig>;
// The region is the service's own (AWS_REGION); main adds it when it opens the queue.
type WithoutRegion<T> = T extends unknown ? Omit<T, "region"> : never;

/** The send rules' stack settings (`SendPolicy` in `outbound/sendRules.ts`). */
export interface SendRulesConfig {
  requireConsent: boolean;
  /** `off` (`QUIET_HOURS=off`): no window is enforced, the states' neither (tests, non-US). */
  quietHours: { allowedStart: string; allowedEnd: string } | "off";
  frequencyCap: { maxSends: number; windowSeconds: number } | undefined;
}

const SQS_SETTINGS = [
  "OUTBOUND_QUEUE_URL",
  "OUTBOUND_QUEUE_ARN",
  "SEND_SCHEDULE_GROUP",
  "SEND_SCHEDULER_ROLE_ARN",
] as const;

export interface RuntimeConfig {
  port: number;
  host: string;
  region: string;
  useMockSms: boolean;
  originationIdentity: string | undefined;
  configurationSet: string | undefined;
  agentApiToken: string;
  snsAllowedTopicArns: readonly string[];
  eventBridgeApiKey: string | undefined;
  eventBridgeApiKeyHeader: string;
  /** Rotation (issue 14): the secrets to re-read, how often, and how long the previous value counts. */
  rotation: {
    agentApiTokenSecretId: string | undefined;
    eventBridgeApiKeySecretId: string | undefined;
    refreshSeconds: number;
    overlapSeconds: number;
  };
  store: StoreConfig;
  outboundQueue: OutboundQueueConfig;
  sendRules: SendRulesConfig;
  maxPartsPerSecond: number;
  selfManagedOptOuts: boolean;
  patientRefKey: string;
  conversationTtlDays: number;
  keywordReplies: { help: string; stop: string; start: string };
  logLevel: string;
  /** CloudWatch log group for audit events; stdout (logType "audit") when unset. */
  auditLogGroup: string | undefined;
  /** Signing-certificate fetches allowed per minute (cache misses only). */
  snsCertFetchesPerMinute: number;
  /** Signing-certificate fetches one client address may cause per minute. */
  snsCertFetchesPerSenderPerMinute: number;
  /**
   * Proxies in front of the service whose `X-Forwarded-For` entry is trusted (1: the ALB), so the
   * client address is the one the ALB saw, not one a caller wrote.
   */
  trustedProxyHops: number;
  /** Test-only: see `SNS_CERT_FETCH_OVERRIDE` in the README. Never set in a deployed stack. */
  snsCertFetchOverride: string | undefined;
  /** Development defaults that were applied because mock mode is on; reported at start. */
  devDefaultsUsed: readonly string[];
  /** Settings that are accepted but worth a line in the log at start. */
  warnings: readonly string[];
  /** `/v1/simulate/*`, the local loop: mock mode only, never with NODE_ENV=production. */
  localLoop: boolean;
  /** The service's public origin for the A2A agent card; from the request's host when unset. */
  publicBaseUrl: string | undefined;
  /** The opt-out list of the origination identity, read by `get_opt_out_status`. */
  optOutListName: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

type Env = Readonly<Record<string, string | undefined>>;

const DEV_AGENT_API_TOKEN = "local-dev-agent-token";
const DEV_EVENTBRIDGE_API_KEY = "local-dev-eventbridge-key";
const DEV_PATIENT_REF_KEY = "local-dev-patient-ref-key-not-for-real-data";
const MIN_SECRET_LENGTH = 16;

const DEFAULT_REPLIES = {
  help: "Appointment scheduling messages. Reply STOP to opt out. Msg&data rates may apply.",
  stop: "You are unsubscribed and will receive no further messages. Reply START to resubscribe.",
  start: "You are subscribed again. Reply STOP to opt out.",
};

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];
// Header names EventBridge may send and Node accepts: RFC 9110 token characters.
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,128}$/;
const TOPIC_ARN = /^arn:aws(-cn|-us-gov)?:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;
const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;

export function loadConfig(env: Env = process.env): RuntimeConfig {
  const problems: string[] = [];
  const devDefaultsUsed: string[] = [];
  const text = (key: string): string | undefined => {
    const value = env[key]?.trim();
    return value === undefined || value === "" ? undefined : value;
  };

  const bool = (key: string, fallback: boolean): boolean => {
    const value = text(key);
    if (value === undefined) return fallback;
    if (/^(true|1|yes)$/i.test(value)) return true;
    if (/^(false|0|no)$/i.test(value)) return false;
    problems.push(`${key}="${value}" is not a boolean: use true or false`);
    return fallback;
  };

  const integer = (key: string, fallback: number, min: number, max: number): number => {
    const value = text(key);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
      problems.push(`${key}="${value}" must be a whole number from ${min} to ${max}`);
      return fallback;
    }
    return parsed;
  };

  const number = (key: string, fallback: number, min: number, max: number): number => {
    const value = text(key);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < min || parsed > max) {
      problems.push(`${key}="${value}" must be a number from ${min} to ${max}`);
      return fallback;
    }
    return parsed;
  };

  // Mock mode is the safe default: real SMS needs an explicit USE_MOCK_SMS=false.
  const useMockSms = bool("USE_MOCK_SMS", true);

  /** A secret that has a development default in mock mode and is required otherwise. */
  const secret = (key: string, devDefault: string, hint: string): string => {
    const value = text(key);
    if (value !== undefined) {
      if (value.length < MIN_SECRET_LENGTH) {
        problems.push(
          `${key} is too short: use at least ${MIN_SECRET_LENGTH} characters (${hint})`,
        );
      }
      return value;
    }
    if (useMockSms) {
      devDefaultsUsed.push(key);
      return devDefault;
    }
    problems.push(`${key} is required when USE_MOCK_SMS=false (${hint})`);
    return "";
  };

  const region = text("AWS_REGION") ?? text("AWS_DEFAULT_REGION") ?? "us-east-1";
  if (!REGION.test(region)) {
    problems.push(`AWS_REGION="${region}" is not an AWS region name such as us-east-1`);
  }

  const originationIdentity = text("AWS_SMS_ORIGINATION_NUMBER");
  if (!useMockSms && originationIdentity === undefined) {
    problems.push(
      "AWS_SMS_ORIGINATION_NUMBER is required when USE_MOCK_SMS=false: set the E.164 number, phone number id or ARN to send from",
    );
  }
  const warnings: string[] = [];
  if (env.AWS_PINPOINT_APP_ID !== undefined) {
    warnings.push(
      "AWS_PINPOINT_APP_ID is ignored: End User Messaging sends from AWS_SMS_ORIGINATION_NUMBER; remove it",
    );
  }

  const agentApiToken = secret(
    "AGENT_API_TOKEN",
    DEV_AGENT_API_TOKEN,
    "the bearer token agents send to /v1",
  );
  const eventBridgeApiKeyRaw = text("EVENTBRIDGE_API_KEY");
  let eventBridgeApiKey: string | undefined = eventBridgeApiKeyRaw;
  if (eventBridgeApiKeyRaw === undefined) {
    if (useMockSms) {
      devDefaultsUsed.push("EVENTBRIDGE_API_KEY");
      eventBridgeApiKey = DEV_EVENTBRIDGE_API_KEY;
    } else {
      problems.push(
        "EVENTBRIDGE_API_KEY is required when USE_MOCK_SMS=false: set it to the API key of the EventBridge connection",
      );
    }
  } else if (eventBridgeApiKeyRaw.length < MIN_SECRET_LENGTH) {
    problems.push(`EVENTBRIDGE_API_KEY is too short: use at least ${MIN_SECRET_LENGTH} characters`);
  }
  const eventBridgeApiKeyHeader = (
    text("EVENTBRIDGE_API_KEY_HEADER") ?? DEFAULT_API_KEY_HEADER
  ).toLowerCase();
  if (!HEADER_NAME.test(eventBridgeApiKeyHeader)) {
    problems.push(
      `EVENTBRIDGE_API_KEY_HEADER="${eventBridgeApiKeyHeader}" is not a valid HTTP header name`,
    );
  } else if (eventBridgeApiKeyHeader === "authorization") {
    problems.push(
      "EVENTBRIDGE_API_KEY_HEADER must not be authorization: that header carries the agent token",
    );
  }

  const patientRefKey = secret(
    "PATIENT_REF_KEY",
    DEV_PATIENT_REF_KEY,
    "the HMAC key that turns phone numbers into patient references; keep it stable",
  );

  const snsAllowedTopicArns = (text("SNS_ALLOWED_TOPIC_ARNS") ?? "")
    .split(",")
    .map((arn) => arn.trim())
    .filter((arn) => arn !== "");
  for (const arn of snsAllowedTopicArns) {
    if (!TOPIC_ARN.test(arn)) {
      problems.push(
        `SNS_ALLOWED_TOPIC_ARNS has "${arn}", which is not an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)`,
      );
    }
  }
  if (!useMockSms && snsAllowedTopicArns.length === 0) {
    problems.push(
      "SNS_ALLOWED_TOPIC_ARNS is required when USE_MOCK_SMS=false: the inbound topic's ARN, comma-separated if several",
    );
  }

  const store = parseStore(text("STORE") ?? "sqlite:./data/sms.db", problems);

  const logLevel = (text("LOG_LEVEL") ?? "info").toLowerCase();
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(`LOG_LEVEL="${logLevel}" must be one of ${LOG_LEVELS.join(", ")}`);
  }

  const auditLogGroup = text("AUDIT_LOG_GROUP");
  if (auditLogGroup !== undefined && !/^[\w\-_/.#]{1,512}$/.test(auditLogGroup)) {
    problems.push(`AUDIT_LOG_GROUP="${auditLogGroup}" is not a CloudWatch log group name`);
  }

  const snsCertFetchOverride = text("SNS_CERT_FETCH_OVERRIDE");
  if (snsCertFetchOverride !== undefined) {
    // Redirecting certificate fetches would let whoever controls that host forge SNS messages, so
    // it exists only for emulator tests: loopback only, and refused where NODE_ENV=production (the
    // container image sets it) or where a real number would text patients without an emulator.
    if (env.NODE_ENV === "production") {
      problems.push(
        "SNS_CERT_FETCH_OVERRIDE is a test-only setting and is refused with NODE_ENV=production: remove it",
      );
    } else if (!/^http:\/\/(127\.0\.0\.1|localhost|\[::1\]):\d{1,5}$/.test(snsCertFetchOverride)) {
      problems.push(
        "SNS_CERT_FETCH_OVERRIDE must be http://127.0.0.1:<port> (a local emulator) and nothing else",
      );
    } else if (
      !useMockSms &&
      text("AWS_ENDPOINT_URL") === undefined &&
      text("AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2") === undefined
    ) {
      problems.push(
        "SNS_CERT_FETCH_OVERRIDE with USE_MOCK_SMS=false needs an emulator endpoint (AWS_ENDPOINT_URL or AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2): it is for tests only",
      );
    } else {
      warnings.push(
        "SNS_CERT_FETCH_OVERRIDE is set: SNS signing certificates come from a local emulator (tests only)",
      );
    }
  }

  // The local loop injects inbound texts without SNS's signature: a development tool only.
  const localLoopSetting = text("LOCAL_LOOP");
  const localLoop = bool("LOCAL_LOOP", useMockSms && env.NODE_ENV !== "production");
  if (localLoopSetting !== undefined && localLoop) {
    if (!useMockSms) {
      problems.push("LOCAL_LOOP=true needs USE_MOCK_SMS=true: remove LOCAL_LOOP");
    } else if (env.NODE_ENV === "production") {
      problems.push("LOCAL_LOOP is refused with NODE_ENV=production: remove LOCAL_LOOP");
    }
  }

  const publicBaseUrl = text("PUBLIC_BASE_URL")?.replace(/\/+$/, "");
  if (
    publicBaseUrl !== undefined &&
    !/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/.test(publicBaseUrl)
  ) {
    problems.push(
      `PUBLIC_BASE_URL="${publicBaseUrl}" must be an origin such as https://sms.example.org (no path)`,
    );
  }

  const optOutListName = text("AWS_SMS_OPT_OUT_LIST") ?? "Default";
  if (!/^[A-Za-z0-9_:/-]{1,256}$/.test(optOutListName)) {
    problems.push(`AWS_SMS_OPT_OUT_LIST="${optOutListName}" is not an opt-out list name or ARN`);
  }

  const outboundQueue = parseOutboundQueue(text, store, problems);
  if (text("QUIET_HOURS")?.toLowerCase() === "off") {
    warnings.push(
      "QUIET_HOURS=off: sends are not held to recipient-local hours (nor to US states' calling hours); only for tests and stacks whose patients are not under those rules",
    );
  }
  const sendRules: SendRulesConfig = {
    requireConsent: bool("REQUIRE_CONSENT", false),
    quietHours: parseQuietHours(text("QUIET_HOURS") ?? "08:00-21:00", problems),
    frequencyCap: parseFrequencyCap(text("FREQUENCY_CAP") ?? "none", problems),
  };

  const config: RuntimeConfig = {
    port: integer("PORT", DEFAULT_PORT, 1, 65535),
    host: text("HOST") ?? "0.0.0.0",
    region,
    useMockSms,
    originationIdentity,
    configurationSet: text("AWS_SMS_CONFIGURATION_SET"),
    agentApiToken,
    snsAllowedTopicArns,
    eventBridgeApiKey,
    eventBridgeApiKeyHeader,
    rotation: {
      agentApiTokenSecretId: text("AGENT_AUTH_ARN"),
      eventBridgeApiKeySecretId: text("EVENTBRIDGE_AUTH_ARN"),
      refreshSeconds: integer("SECRET_REFRESH_SECONDS", 60, 10, 3600),
      overlapSeconds: integer("SECRET_OVERLAP_SECONDS", 86_400, 60, 30 * 86_400),
    },
    store,
    outboundQueue,
    sendRules,
    maxPartsPerSecond: number("SMS_MAX_PARTS_PER_SECOND", 1, 0.1, 1000),
    selfManagedOptOuts: bool("SELF_MANAGED_OPT_OUTS", false),
    patientRefKey,
    conversationTtlDays: integer("CONVERSATION_TTL_DAYS", 90, 1, 3650),
    keywordReplies: {
      help: text("SMS_HELP_REPLY") ?? DEFAULT_REPLIES.help,
      stop: text("SMS_STOP_REPLY") ?? DEFAULT_REPLIES.stop,
      start: text("SMS_START_REPLY") ?? DEFAULT_REPLIES.start,
    },
    logLevel,
    auditLogGroup,
    snsCertFetchesPerMinute: integer("SNS_CERT_FETCHES_PER_MINUTE", 30, 1, 1_000_000),
    snsCertFetchesPerSenderPerMinute: integer(
      "SNS_CERT_FETCHES_PER_SENDER_PER_MINUTE",
      3,
      1,
      1_000_000,
    ),
    trustedProxyHops: integer("TRUSTED_PROXY_HOPS", 1, 0, 10),
    snsCertFetchOverride,
    devDefaultsUsed,
    warnings,
    localLoop,
    publicBaseUrl,
    optOutListName,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function parseStore(value: string, problems: string[]): StoreConfig {
  const match = /^(sqlite|dynamodb):(.+)$/.exec(value);
  if (match?.[1] === "sqlite") return { kind: "sqlite", path: match[2] as string };
  if (match?.[1] === "dynamodb") {
    const table = match[2] as string;
    if (!/^[A-Za-z0-9_.-]{3,255}$/.test(table)) {
      problems.push(`STORE="${value}": "${table}" is not a DynamoDB table name`);
    }
    return { kind: "dynamodb", table };
  }
  problems.push(`STORE="${value}" must be sqlite:<path> or dynamodb:<table>`);
  return { kind: "sqlite", path: "./data/sms.db" };
}

function parseOutboundQueue(
  text: (key: string) => string | undefined,
  store: StoreConfig,
  problems: string[],
): OutboundQueueConfig {
  const values = SQS_SETTINGS.map((key) => [key, text(key)] as const);
  const set = values.filter(([, value]) => value !== undefined);
  if (set.length === 0) {
    // Beside the SQLite store (same directory, own file); in memory with an in-memory store,
    // and with DynamoDB (no file of the store to sit beside; the warning at start says so).
    if (store.kind === "dynamodb" || store.path === ":memory:") {
      return { kind: "sqlite", path: ":memory:" };
    }
    return { kind: "sqlite", path: join(dirname(store.path), "outbound-queue.db") };
  }
  const missing = values.filter(([, value]) => value === undefined).map(([key]) => key);
  if (missing.length > 0) {
    problems.push(
      `${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} missing: the SQS outbound queue needs all of ${SQS_SETTINGS.join(", ")} (the stack's outputs), or none of them for the embedded SQLite queue`,
    );
    return { kind: "sqlite", path: "./data/outbound-queue.db" };
  }
  const [queueUrl, queueArn, scheduleGroup, schedulerRoleArn] = values.map(([, v]) => v as string);
  if (!/^https?:\/\/[^\s]+\/\d{12}\/[A-Za-z0-9_-]{1,80}$/.test(queueUrl as string)) {
    problems.push(
      `OUTBOUND_QUEUE_URL="${queueUrl}" is not an SQS queue URL (https://sqs.<region>.amazonaws.com/<account>/<name>)`,
    );
  }
  if (
    !/^arn:aws(-cn|-us-gov)?:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}$/.test(queueArn as string)
  ) {
    problems.push(
      `OUTBOUND_QUEUE_ARN="${queueArn}" is not an SQS queue ARN (arn:aws:sqs:<region>:<account>:<name>)`,
    );
  }
  if (!/^[0-9a-zA-Z-_.]{1,64}$/.test(scheduleGroup as string)) {
    problems.push(
      `SEND_SCHEDULE_GROUP="${scheduleGroup}" is not an EventBridge Scheduler group name`,
    );
  }
  if (
    !/^arn:aws(-cn|-us-gov)?:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/.test(schedulerRoleArn as string)
  ) {
    problems.push(`SEND_SCHEDULER_ROLE_ARN="${schedulerRoleArn}" is not an IAM role ARN`);
  }
  return {
    kind: "sqs",
    queueUrl: queueUrl as string,
    queueArn: queueArn as string,
    scheduleGroup: scheduleGroup as string,
    schedulerRoleArn: schedulerRoleArn as string,
  };
}

const HH_MM = "([01]\\d|2[0-3]):([0-5]\\d)";

function parseQuietHours(value: string, problems: string[]): SendRulesConfig["quietHours"] {
  if (value.toLowerCase() === "off") return "off";
  const match = new RegExp(`^(${HH_MM})-(${HH_MM})$`).exec(value);
  if (!match || match[1] === match[4]) {
    problems.push(
      `QUIET_HOURS="${value}" must be the allowed window, recipient-local, as HH:MM-HH:MM (e.g. 08:00-21:00), or off`,
    );
    return { allowedStart: "08:00", allowedEnd: "21:00" };
  }
  return { allowedStart: match[1] as string, allowedEnd: match[4] as string };
}

function parseFrequencyCap(value: string, problems: string[]): SendRulesConfig["frequencyCap"] {
  if (value.toLowerCase() === "none") return undefined;
  const match = /^(\d{1,4})\/(\d{1,9})$/.exec(value);
  const maxSends = Number(match?.[1]);
  const windowSeconds = Number(match?.[2]);
  if (!match || maxSends < 1 || windowSeconds < 60 || windowSeconds > 366 * 86_400) {
    problems.push(
      `FREQUENCY_CAP="${value}" must be none or <sends>/<seconds> with at least 1 send and 60 to 31622400 seconds (e.g. 3/604800: 3 in 7 days)`,
    );
    return undefined;
  }
  return { maxSends, windowSeconds };
}
