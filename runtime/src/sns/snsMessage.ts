/**
 * The SNS HTTP(S) envelope (https://docs.aws.amazon.com/sns/latest/dg/http-notification-json.html)
 * and the exact string it is signed over.
 */

export type SnsMessageType =
  "Notification" | "SubscriptionConfirmation" | "UnsubscribeConfirmation";

export interface SnsNotification {
  Type: "Notification";
  MessageId: string;
  TopicArn: string;
  Subject?: string;
  Message: string;
  Timestamp: string;
  SignatureVersion: string;
  Signature: string;
  SigningCertURL: string;
  UnsubscribeURL?: string;
}

export interface SnsSubscriptionMessage {
  Type: "SubscriptionConfirmation" | "UnsubscribeConfirmation";
  MessageId: string;
  TopicArn: string;
  Token: string;
  Message: string;
  SubscribeURL: string;
  Timestamp: string;
  SignatureVersion: string;
  Signature: string;
  SigningCertURL: string;
}

export type SnsMessage = SnsNotification | SnsSubscriptionMessage;

export class SnsMessageFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SnsMessageFormatError";
  }
}

const SNS_TYPES: readonly string[] = [
  "Notification",
  "SubscriptionConfirmation",
  "UnsubscribeConfirmation",
];

export function isSnsShaped(body: unknown): boolean {
  return (
    typeof body === "object" &&
    body !== null &&
    SNS_TYPES.includes((body as { Type?: unknown }).Type as string)
  );
}

/** Checks field presence and types only; the signature is checked by `verifySnsMessage`. */
export function parseSnsMessage(body: unknown): SnsMessage {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new SnsMessageFormatError("SNS message must be a JSON object");
  }
  const record = body as Record<string, unknown>;
  const type = record.Type;
  if (typeof type !== "string" || !SNS_TYPES.includes(type)) {
    throw new SnsMessageFormatError("SNS message has an unknown Type");
  }
  const required =
    type === "Notification"
      ? [
          "MessageId",
          "TopicArn",
          "Message",
          "Timestamp",
          "SignatureVersion",
          "Signature",
          "SigningCertURL",
        ]
      : [
          "MessageId",
          "TopicArn",
          "Token",
          "Message",
          "SubscribeURL",
          "Timestamp",
          "SignatureVersion",
          "Signature",
          "SigningCertURL",
        ];
  for (const key of required) {
    if (typeof record[key] !== "string") {
      throw new SnsMessageFormatError(`SNS ${type} lacks the string field ${key}`);
    }
  }
  // Lambda-style envelopes carry `Subject: null`; only a string Subject is part of the signature.
  if (
    record.Subject !== undefined &&
    record.Subject !== null &&
    typeof record.Subject !== "string"
  ) {
    throw new SnsMessageFormatError("SNS Subject must be a string");
  }
  const message = { ...record } as Record<string, unknown>;
  if (message.Subject === null) delete message.Subject;
  return message as unknown as SnsMessage;
}

/**
 * `Key\nValue\n` for each signed field in the fixed order AWS documents
 * (sns-verify-signature-of-message-verify-message-signature.html); Subject only when present.
 */
export function snsStringToSign(message: SnsMessage): string {
  const keys =
    message.Type === "Notification"
      ? ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
      : ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"];
  const record = message as unknown as Record<string, unknown>;
  let out = "";
  for (const key of keys) {
    const value = record[key];
    if (typeof value === "string") out += `${key}\n${value}\n`;
  }
  return out;
}

/** The region of `arn:aws:sns:<region>:<account>:<name>`, or undefined for anything else. */
export function topicRegion(topicArn: string): string | undefined {
  const parts = topicArn.split(":");
  return parts.length === 6 && parts[0] === "arn" && parts[2] === "sns" ? parts[3] : undefined;
}

/** The partition of `arn:<partition>:sns:...` (`aws`, `aws-cn`, `aws-us-gov`), or undefined. */
export function topicPartition(topicArn: string): string | undefined {
  const parts = topicArn.split(":");
  return parts.length === 6 && parts[0] === "arn" && parts[2] === "sns" ? parts[1] : undefined;
}

/**
 * The DNS suffix of SNS endpoints in a partition, or undefined for partitions this service does
 * not serve. Tying hosts to the topic's partition keeps a `.amazonaws.com.cn` host from passing
 * for a topic in `aws` (https://docs.aws.amazon.com/general/latest/gr/sns.html lists the
 * endpoints: `sns.<region>.amazonaws.com`, and `sns.<region>.amazonaws.com.cn` in China).
 */
export function snsDnsSuffix(partition: string): string | undefined {
  return PARTITION_DNS_SUFFIX.get(partition);
}

const PARTITION_DNS_SUFFIX: ReadonlyMap<string, string> = new Map([
  ["aws", "amazonaws.com"],
  ["aws-us-gov", "amazonaws.com"],
  ["aws-cn", "amazonaws.com.cn"],
]);
