/**
 * What the runtime and the stack that deploys it must agree on, in one place both import (as
 * `../store/dynamoDbTableSchema.ts` is for the table): the paths and header the load balancer and
 * EventBridge call, the port, and the names of every setting the container receives. A name
 * written on one side only is a deployment that starts with a setting missing or ignored;
 * `tests/infra/runtimeContract.test.ts` checks the task definition against the config loader.
 */

/** Where SNS (inbound SMS) and EventBridge (delivery events) post: one path, two callers. */
export const WEBHOOK_PATH = "/sms/webhook";

/** The header EventBridge's connection puts its API key in, unless EVENTBRIDGE_API_KEY_HEADER says otherwise. */
export const DEFAULT_API_KEY_HEADER = "x-api-key";

/** The port the container listens on; the target group and security groups use the same. */
export const DEFAULT_PORT = 10003;

/** The largest request body the runtime reads (Fastify's `bodyLimit`); larger answers 413. */
export const BODY_LIMIT_BYTES = 64 * 1024;

/** Settings a deployed stack gives the container as plain environment variables. */
export const DEPLOYED_ENVIRONMENT = [
  "PORT",
  "AWS_REGION",
  "USE_MOCK_SMS",
  "AWS_SMS_ORIGINATION_NUMBER",
  "AWS_SMS_CONFIGURATION_SET",
  "AWS_SMS_OPT_OUT_LIST",
  "SNS_ALLOWED_TOPIC_ARNS",
  "EVENTBRIDGE_API_KEY_HEADER",
  "STORE",
  "SMS_MAX_PARTS_PER_SECOND",
  "SELF_MANAGED_OPT_OUTS",
  "CONVERSATION_TTL_DAYS",
  "LOG_LEVEL",
  "AUDIT_LOG_GROUP",
  "PUBLIC_BASE_URL",
  "TRUSTED_PROXY_HOPS",
  // The rotated secrets' ARNs: the task re-reads them and accepts AWSPREVIOUS for an overlap.
  "AGENT_AUTH_ARN",
  "EVENTBRIDGE_AUTH_ARN",
  // The outbound queue (issue 12): SQS for due sends, Scheduler for later ones.
  "OUTBOUND_QUEUE_URL",
  "OUTBOUND_QUEUE_ARN",
  "SEND_SCHEDULE_GROUP",
  "SEND_SCHEDULER_ROLE_ARN",
  // The send rules' stack settings (stack config requireConsent, quietHours, frequencyCap).
  "REQUIRE_CONSENT",
  "QUIET_HOURS",
  "FREQUENCY_CAP",
] as const;
export type DeployedEnvironmentName = (typeof DEPLOYED_ENVIRONMENT)[number];

/** Settings a deployed stack gives the container from Secrets Manager (ECS `secrets`). */
export const DEPLOYED_SECRETS = [
  "AGENT_API_TOKEN",
  "EVENTBRIDGE_API_KEY",
  "PATIENT_REF_KEY",
] as const;
export type DeployedSecretName = (typeof DEPLOYED_SECRETS)[number];

/**
 * Settings the config loader reads that a deployed stack leaves unset on purpose, each with why.
 * A new setting goes either into one of the lists above or here, with its reason.
 */
export const NOT_SET_BY_THE_STACK = {
  HOST: "the default, every interface, is what a Fargate task needs",
  AWS_DEFAULT_REGION: "a fallback for AWS_REGION, which the stack sets",
  AWS_PINPOINT_APP_ID: "a setting of the old setup guide that the loader only warns about",
  NODE_ENV: "the container image sets production",
  LOCAL_LOOP: "a development tool, refused without mock mode",
  SECRET_REFRESH_SECONDS: "the default, a minute, is how long a rotated key may go unseen",
  SECRET_OVERLAP_SECONDS: "the default, a day, is how long the previous key keeps working",
  SNS_CERT_FETCH_OVERRIDE: "tests against a local emulator only",
  AWS_ENDPOINT_URL: "tests against a local emulator only",
  AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2: "tests against a local emulator only",
  SNS_CERT_FETCHES_PER_MINUTE: "the runtime's default fits the webhook's traffic",
  SNS_CERT_FETCHES_PER_SENDER_PER_MINUTE: "the runtime's default fits the webhook's traffic",
  SMS_HELP_REPLY: "the keyword replies keep the runtime's wording unless an operator overrides it",
  SMS_STOP_REPLY: "the keyword replies keep the runtime's wording unless an operator overrides it",
  SMS_START_REPLY: "the keyword replies keep the runtime's wording unless an operator overrides it",
} as const;
