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
  messages: number;
}

async function cpuPerMessage(messages: number, one: (i: number) => Promise<void>): Promise<number> {
  for (let i = 0; i < 20; i += 1) await one(-1 - i); // warm: JIT, connections
  const before = process.cpuUsage();
  for (let i = 0; i < messages; i += 1) await one(i);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / messages;
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
    const serviceCpuUs = await cpuPerMessage(messages, async (i) => {
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
    });

    const baselineCpuUs = await cpuPerMessage(messages, async (i) => {
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
    });
    await store.close();
    return { serviceCpuUs, baselineCpuUs, messages };
  } finally {
    await emulator.stop();
  }
}
