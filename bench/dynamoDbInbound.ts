/**
 * CPU the service spends per inbound message on DynamoDB, client side, against a baseline
 * making the minimal calls with the same SDK: one Query for the patient's open conversation and
 * one TransactWriteItems (message, SNS-id mark, inbound-id mark). Both run on moto, one message
 * at a time, so the figure is this process's CPU (marshalling, signing, HTTP), not moto's.
 */
import { randomUUID } from "node:crypto";
import { DynamoDBClient, QueryCommand, TransactWriteItemsCommand } from "@aws-sdk/client-dynamodb";
import { DynamoDbConversationStore } from "../runtime/src/store/dynamoDbStore";
import { dynamoDbTableSchema as schema } from "../runtime/src/store/dynamoDbTableSchema";
import { createStoreTable } from "../tests/support/dynamoDbTable";
import { startDynamoDbEmulator, TEST_CREDENTIALS } from "../tests/support/motoServer";

export interface DynamoDbCpu {
  serviceCpuUs: number;
  baselineCpuUs: number;
  /** Messages measured on each side: the count asked for, rounded up to whole slices. */
  messages: number;
}

/** Slices each side's messages are measured in, alternating which side goes first. */
const SLICES = 6;
/** Messages each side runs before any is measured: enough for V8 to optimise the SDK's paths. */
const WARM_MESSAGES = 100;

/**
 * CPU per message of each of two ways of storing one, measured side by side: both warmed first,
 * then in alternating slices, so neither pays the other's JIT warm-up, a growing table or a
 * stretch of a busy machine alone (measured one after the other, the first side read 1.05 to 1.47
 * of the second in three runs).
 */
async function cpuPerMessageSideBySide(
  messages: number,
  sides: [(i: number) => Promise<void>, (i: number) => Promise<void>],
): Promise<{ perMessageUs: [number, number]; measured: number }> {
  for (let i = 0; i < WARM_MESSAGES; i += 1) {
    for (const one of sides) await one(-1 - i);
  }
  const usedUs = [0, 0];
  const perSlice = Math.ceil(messages / SLICES);
  for (let slice = 0; slice < SLICES; slice += 1) {
    for (const side of slice % 2 === 0 ? [0, 1] : [1, 0]) {
      const before = process.cpuUsage();
      for (let k = 0; k < perSlice; k += 1) await sides[side]!(slice * perSlice + k);
      const used = process.cpuUsage(before);
      usedUs[side]! += used.user + used.system;
    }
  }
  const measured = perSlice * SLICES;
  return { perMessageUs: [usedUs[0]! / measured, usedUs[1]! / measured], measured };
}

export async function dynamoDbInboundCpu(messages: number): Promise<DynamoDbCpu> {
  const emulator = await startDynamoDbEmulator();
  try {
    // Timeouts generous for a loaded machine: this measures CPU, not moto's latency.
    const client = new DynamoDBClient({
      region: "us-east-1",
      endpoint: emulator.endpoint,
      credentials: TEST_CREDENTIALS,
      maxAttempts: 1,
      requestHandler: { requestTimeout: 30_000, throwOnRequestTimeout: true },
    });
    const table = `eum-bench-${randomUUID()}`;
    await createStoreTable(client, table);
    const store = new DynamoDbConversationStore(client, table);
    const receivedAt = new Date().toISOString();
    const expiresAt = "2099-01-01T00:00:00.000Z";

    // What receiveInbound asks of the store for a reply with no open conversation.
    const service = async (i: number): Promise<void> => {
      const patientRef = `svc-patient-${i}`;
      await store.latestOpenConversation(patientRef, receivedAt);
      await store.recordInbound({
        inbound: {
          inboundMessageId: `svc-in-${i}`,
          snsMessageId: `svc-sns-${i}`,
          patientRef,
          kind: "reply",
          text: "running late",
          receivedAt,
          expiresAt,
        },
      });
    };

    const baseline = async (i: number): Promise<void> => {
      const patientRef = `base-patient-${i}`;
      await client.send(
        new QueryCommand({
          TableName: table,
          IndexName: schema.patientIndex.name,
          KeyConditionExpression: "#pk = :p",
          ExpressionAttributeNames: { "#pk": schema.patientIndex.partitionKey },
          ExpressionAttributeValues: { ":p": { S: `PATIENT#${patientRef}` } },
          ScanIndexForward: false,
          Limit: 1,
        }),
      );
      const ttl = { N: "4070908800" };
      const mark = (pk: string) => ({
        Put: {
          TableName: table,
          Item: { pk: { S: pk }, sk: { S: "MARK" }, ttl },
          ConditionExpression: "attribute_not_exists(pk)",
        },
      });
      await client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            mark(`INBOUND#base-in-${i}`),
            mark(`SNSMSG#base-sns-${i}`),
            {
              Put: {
                TableName: table,
                Item: {
                  pk: { S: `PATIENT#${patientRef}` },
                  sk: { S: `IN#${receivedAt}#base-in-${i}` },
                  text: { S: "running late" },
                  ttl,
                },
              },
            },
          ],
        }),
      );
    };
    const { perMessageUs, measured } = await cpuPerMessageSideBySide(messages, [service, baseline]);
    await store.close();
    return { serviceCpuUs: perMessageUs[0], baselineCpuUs: perMessageUs[1], messages: measured };
  } finally {
    await emulator.stop();
  }
}
