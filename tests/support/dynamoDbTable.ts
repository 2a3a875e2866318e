import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { dynamoDbTableSchema as schema } from "../../runtime/src/store/dynamoDbTableSchema";
import { TEST_CREDENTIALS } from "./motoServer";

export function emulatorDynamoDbClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    region: "us-east-1",
    endpoint,
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
    requestHandler: { requestTimeout: 3000, throwOnRequestTimeout: true },
  });
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
