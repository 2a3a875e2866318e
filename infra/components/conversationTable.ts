import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { dynamoDbTableSchema as schema } from "../../runtime/src/store/dynamoDbTableSchema";
import type { AwsContext } from "./awsContext";

export interface ConversationTableArgs {
  context: AwsContext;
  dataKeyArn: pulumi.Input<string>;
  deletionProtection: boolean;
  /** Daily AWS Backup copies kept this many days (D1); 0 for none. */
  backupRetentionDays: number;
  /** Tagged on the table (PatientData real/simulated) so the policy pack can require backups. */
  holdsPatientData: boolean;
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
        tags: { ...args.context.tags, PatientData: args.holdsPatientData ? "real" : "simulated" },
      },
      { parent: this },
    );
    if (args.backupRetentionDays > 0) this.backUp(name, args);
    this.registerOutputs({ tableName: this.table.name, tableArn: this.table.arn });
  }

  /** A vault under the data key, a daily plan, and a selection of this table only. */
  private backUp(name: string, args: ConversationTableArgs): void {
    const { tags, namePrefix } = args.context;
    const vault = new aws.backup.Vault(
      `${name}-vault`,
      { name: `${namePrefix}-conversations`, kmsKeyArn: args.dataKeyArn, tags },
      { parent: this },
    );
    const plan = new aws.backup.Plan(
      `${name}-plan`,
      {
        name: `${namePrefix}-conversations`,
        rules: [
          {
            ruleName: "daily",
            targetVaultName: vault.name,
            schedule: "cron(0 5 * * ? *)",
            lifecycle: { deleteAfter: args.backupRetentionDays },
          },
        ],
        tags,
      },
      { parent: this },
    );
    // Not verified against AWS: whether AWS Backup's AssumeRole carries aws:SourceAccount. AWS's
    // own default role for it (AWSBackupDefaultServiceRole,
    // https://docs.aws.amazon.com/aws-backup/latest/devguide/iam-service-roles.html) trusts
    // backup.amazonaws.com with no condition; the condition is kept because the policy pack
    // (I3) requires one. If the first backup job fails with "Unable to assume role", drop the
    // condition here and record an I3 exception for this role.
    const role = new aws.iam.Role(
      `${name}-backup-role`,
      {
        description: "AWS Backup backs up the conversation table",
        assumeRolePolicy: aws.iam.getPolicyDocumentOutput({
          statements: [
            {
              actions: ["sts:AssumeRole"],
              principals: [{ type: "Service", identifiers: ["backup.amazonaws.com"] }],
              conditions: [
                {
                  test: "StringEquals",
                  variable: "aws:SourceAccount",
                  values: [args.context.accountId],
                },
              ],
            },
          ],
        }).json,
        tags,
      },
      { parent: this },
    );
    // AWS's own policy for backup jobs: it tracks every service AWS Backup supports.
    new aws.iam.RolePolicyAttachment(
      `${name}-backup-role`,
      {
        role: role.name,
        policyArn: "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
      },
      { parent: this },
    );
    new aws.backup.Selection(
      `${name}-selection`,
      {
        name: `${namePrefix}-conversations`,
        planId: plan.id,
        iamRoleArn: role.arn,
        resources: [this.table.arn],
      },
      { parent: this },
    );
  }
}
