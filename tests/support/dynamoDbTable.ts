import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { dynamoDbTableSchema as schema } from "../../runtime/src/store/dynamoDbTableSchema";
import { TEST_CREDENTIALS } from "./motoServer";

/**
 * One attempt per call, so tests count calls exactly. `requestTimeoutMs` (3 s) is for the calls a
 * test makes of the store; set-up that only waits for moto (creating a table) may give it longer,
 * since moto answers slowly while the other suites load the machine.
 */
export function emulatorDynamoDbClient(endpoint: string, requestTimeoutMs = 3000): DynamoDBClient {
  return new DynamoDBClient({
    region: "us-east-1",
    endpoint,
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
    requestHandler: { requestTimeout: requestTimeoutMs, throwOnRequestTimeout: true },
  });
}

/** How long set-up waits for moto to create a table. */
const TABLE_SETUP_TIMEOUT_MS = 15_000;

/**
 * Set-up of a test that drives the store through other processes: the table, created over a
 * client of its own with the set-up timeout, which is closed once the table exists.
 */
export async function createEmulatorStoreTable(endpoint: string, table: string): Promise<void> {
  const client = emulatorDynamoDbClient(endpoint, TABLE_SETUP_TIMEOUT_MS);
  try {
    await createStoreTable(client, table);
  } finally {
    client.destroy();
  }
}

/** Creates the store's table from the same schema the Pulumi program uses. */
export async function createStoreTable(client: DynamoDBClient, table: string): Promise<void> {
  const idx = schema.patientIndex;
  await client.send(
    new CreateTableCommand({
      TableName: table,
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [
        { AttributeName: schema.partitionKey, AttributeType: "S" },
        { AttributeName: schema.sortKey, AttributeType: "S" },
        { AttributeName: idx.partitionKey, AttributeType: "S" },
        { AttributeName: idx.sortKey, AttributeType: "S" },
      ],
      KeySchema: [
        { AttributeName: schema.partitionKey, KeyType: "HASH" },
        { AttributeName: schema.sortKey, KeyType: "RANGE" },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: idx.name,
          KeySchema: [
            { AttributeName: idx.partitionKey, KeyType: "HASH" },
            { AttributeName: idx.sortKey, KeyType: "RANGE" },
          ],
          Projection: { ProjectionType: "ALL" },
        },
      ],
    }),
  );
}
