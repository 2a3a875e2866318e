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
 *
 * Keys hold opaque ids and HMAC patient references only: never a phone number.
 */
export const dynamoDbTableSchema = {
  partitionKey: "pk",
  sortKey: "sk",
  ttlAttribute: "ttl",
  patientIndex: { name: "byPatient", partitionKey: "gsi1pk", sortKey: "gsi1sk" },
} as const;
