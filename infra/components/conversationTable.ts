import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { dynamoDbTableSchema as schema } from "../../runtime/src/store/dynamoDbTableSchema";
import type { AwsContext } from "./awsContext";

export interface ConversationTableArgs {
  context: AwsContext;
  dataKeyArn: pulumi.Input<string>;
  deletionProtection: boolean;
}

/**
 * The runtime's DynamoDB store (D1): the single-table layout the runtime defines
 * (runtime/src/store/dynamoDbTableSchema.ts), a CMK, point-in-time recovery, TTL, on-demand
 * capacity and deletion protection where configured.
 */
export class ConversationTable extends pulumi.ComponentResource {
  readonly table: aws.dynamodb.Table;

  constructor(
    name: string,
    args: ConversationTableArgs,
    opts: pulumi.ComponentResourceOptions = {},
  ) {
    super("eum-sms:data:ConversationTable", name, {}, opts);
    const idx = schema.patientIndex;
    this.table = new aws.dynamodb.Table(
      name,
      {
        name: `${args.context.namePrefix}-conversations`,
        billingMode: "PAY_PER_REQUEST",
        hashKey: schema.partitionKey,
        rangeKey: schema.sortKey,
        attributes: [
          { name: schema.partitionKey, type: "S" },
          { name: schema.sortKey, type: "S" },
          { name: idx.partitionKey, type: "S" },
          { name: idx.sortKey, type: "S" },
        ],
        globalSecondaryIndexes: [
          {
            name: idx.name,
            hashKey: idx.partitionKey,
            rangeKey: idx.sortKey,
            projectionType: "ALL",
          },
        ],
        serverSideEncryption: { enabled: true, kmsKeyArn: args.dataKeyArn },
        pointInTimeRecovery: { enabled: true },
        ttl: { attributeName: schema.ttlAttribute, enabled: true },
        deletionProtectionEnabled: args.deletionProtection,
        tags: args.context.tags,
      },
      { parent: this },
    );
    this.registerOutputs({ tableName: this.table.name, tableArn: this.table.arn });
  }
}
