import { createHash } from "node:crypto";

/**
 * The single-table layout of the DynamoDB store. The Pulumi program and the emulator tests build
 * the table from this one description, so they cannot drift from what the store expects.
 *
 * | item                 | pk                     | sk                          |
 * |----------------------|------------------------|-----------------------------|
 * | conversation         | CONV#<conversationId>  | META                        |
 * | reply                | CONV#<id> or PATIENT#<ref> | IN#<receivedAt>#<inboundMessageId> |
 * | inbound idempotency  | INBOUND#<inboundMessageId> / SNSMSG#<MessageId> | MARK |
 * | outbound message     | MSG#<messageId>        | META                        |
 * | opt-out state        | PATIENT#<patientRef>   | OPTOUT                      |
 * | agent idempotency    | IDEMPOTENCY#<key>      | META                        |
 * | registration status  | REGISTRATION#<id>      | META                        |
 * | send record          | SEND#<sendId>          | META                        |
 * | provider message id  | PROVIDERMSG#<MessageId> | META (→ sendId)            |
 * | consent              | PATIENT#<patientRef>   | CONSENT#<scope>             |
 * | frequency-cap entry  | PATIENT#<patientRef>   | CAPSENT#<sentAt>#<sendId>   |
 * | shared rate window   | RATE#<sha256(identity)>#<windowStartMs> | META       |
 *
 * A send record keeps the destination and text as non-key attributes only while it can still be
 * sent. Consents never expire; cap entries expire with the cap's window, rate windows a minute
 * after their second.
 *
 * Keys hold opaque ids and HMAC patient references only: never a phone number.
 */
export const dynamoDbTableSchema = {
  partitionKey: "pk",
  sortKey: "sk",
  ttlAttribute: "ttl",
  patientIndex: { name: "byPatient", partitionKey: "gsi1pk", sortKey: "gsi1sk" },
} as const;

/** Partition key values, one builder per item kind of the table above. */
export const partitionKeys = {
  conversation: (conversationId: string): string => `CONV#${conversationId}`,
  patient: (patientRef: string): string => `PATIENT#${patientRef}`,
  outbound: (messageId: string): string => `MSG#${messageId}`,
  inboundMark: (inboundMessageId: string): string => `INBOUND#${inboundMessageId}`,
  snsMessageMark: (snsMessageId: string): string => `SNSMSG#${snsMessageId}`,
  effects: (inboundMessageId: string): string => `EFFECTS#${inboundMessageId}`,
  idempotency: (key: string): string => `IDEMPOTENCY#${key}`,
  registration: (registrationId: string): string => `REGISTRATION#${registrationId}`,
  send: (sendId: string): string => `SEND#${sendId}`,
  providerMessage: (providerMessageId: string): string => `PROVIDERMSG#${providerMessageId}`,
  /** The identity may be the stack's own E.164 number, and keys hold no number: hashed. */
  rateWindow: (identity: string, windowStartMs: number): string =>
    `RATE#${createHash("sha256").update(identity).digest("hex").slice(0, 32)}#${windowStartMs}`,
} as const;

/** Sort key values; a pending effect's sort key is its own effect id. */
export const sortKeys = {
  meta: "META",
  mark: "MARK",
  optOut: "OPTOUT",
  replyPrefix: "IN#",
  reply: (receivedAt: string, inboundMessageId: string): string =>
    `IN#${receivedAt}#${inboundMessageId}`,
  consentPrefix: "CONSENT#",
  consent: (scope: string): string => `CONSENT#${scope}`,
  capSentPrefix: "CAPSENT#",
  /** Just above every `CAPSENT#...` key: `$` follows `#`. */
  capSentEnd: "CAPSENT$",
  capSent: (sentAt: string, sendId: string): string => `CAPSENT#${sentAt}#${sendId}`,
  /** The patient index's sort key: a patient's conversations in creation order. */
  byPatient: (createdAt: string, conversationId: string): string =>
    `${createdAt}#${conversationId}`,
} as const;
