import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { secureDefaults } from "../secureDefaults";
import type { AwsContext } from "./awsContext";

export interface EncryptionArgs {
  context: AwsContext;
  /** Grant CloudTrail use of the logs key (only when this stack creates a trail). */
  cloudTrail: boolean;
}

type Statement = aws.types.input.iam.GetPolicyDocumentStatementArgs;

/**
 * Customer-managed KMS keys (K1, K2), one per kind of data so a key policy names only the services
 * that need it:
 * - `messaging`: SNS topics, their SQS DLQs, the EventBridge connection secret and the runtime's
 *   secrets. Tagged `EventBridgeApiDestinations=true`, which EventBridge requires of a CMK.
 * - `logs`: CloudWatch log groups (and the optional CloudTrail trail).
 * - `data`: the DynamoDB table and the ECR repository.
 * Each policy keeps the account-root statement (so IAM policies apply and the key can never be
 * locked out) and grants service principals only with SourceAccount/SourceArn or encryption
 * context conditions.
 */
export class Encryption extends pulumi.ComponentResource {
  readonly messagingKey: aws.kms.Key;
  readonly logsKey: aws.kms.Key;
  readonly dataKey: aws.kms.Key;

  constructor(name: string, args: EncryptionArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("eum-sms:encryption:Encryption", name, {}, opts);
    const { accountId, region, partition, tags, namePrefix } = args.context;
    const sourceAccount = [
      { test: "StringEquals", variable: "aws:SourceAccount", values: [accountId] },
    ];

    const root: Statement = {
      sid: "AccountRootManagesKey",
      principals: [
        { type: "AWS", identifiers: [pulumi.interpolate`arn:${partition}:iam::${accountId}:root`] },
      ],
      actions: ["kms:*"],
      resources: ["*"],
    };
    const serviceUse = (
      sid: string,
      service: string,
      conditions: Statement["conditions"],
    ): Statement => ({
      sid,
      principals: [{ type: "Service", identifiers: [service] }],
      actions: ["kms:GenerateDataKey*", "kms:Decrypt"],
      resources: ["*"],
      conditions,
    });

    const messagingPolicy = aws.iam.getPolicyDocumentOutput({
      statements: [
        root,
        serviceUse("EndUserMessagingPublishesInbound", "sms-voice.amazonaws.com", [
          ...sourceAccount,
          {
            test: "ArnLike",
            variable: "aws:SourceArn",
            values: [pulumi.interpolate`arn:${partition}:sms-voice:${region}:${accountId}:*`],
          },
        ]),
        serviceUse("SnsWritesEncryptedDlq", "sns.amazonaws.com", sourceAccount),
        serviceUse("EventBridgeWritesEncryptedDlq", "events.amazonaws.com", sourceAccount),
        serviceUse("CloudWatchAlarmsPublish", "cloudwatch.amazonaws.com", sourceAccount),
      ],
    });
    this.messagingKey = this.key(
      `${name}-messaging`,
      `${namePrefix} messaging: SNS, SQS, connection and runtime secrets`,
      messagingPolicy.json,
      {
        ...tags,
        EventBridgeApiDestinations: "true",
      },
    );

    const logsStatements: Statement[] = [
      root,
      {
        sid: "CloudWatchLogsEncryptsThisStacksGroups",
        principals: [{ type: "Service", identifiers: [`logs.${region}.amazonaws.com`] }],
        actions: [
          "kms:Encrypt*",
          "kms:Decrypt*",
          "kms:ReEncrypt*",
          "kms:GenerateDataKey*",
          "kms:Describe*",
        ],
        resources: ["*"],
        conditions: [
          {
            test: "ArnLike",
            variable: "kms:EncryptionContext:aws:logs:arn",
            values: [pulumi.interpolate`arn:${partition}:logs:${region}:${accountId}:log-group:*`],
          },
        ],
      },
    ];
    if (args.cloudTrail) {
      logsStatements.push({
        sid: "CloudTrailEncryptsLogs",
        principals: [{ type: "Service", identifiers: ["cloudtrail.amazonaws.com"] }],
        actions: ["kms:GenerateDataKey*", "kms:DescribeKey"],
        resources: ["*"],
        conditions: [
          ...sourceAccount,
          {
            test: "StringLike",
            variable: "kms:EncryptionContext:aws:cloudtrail:arn",
            values: [pulumi.interpolate`arn:${partition}:cloudtrail:*:${accountId}:trail/*`],
          },
        ],
      });
    }
    this.logsKey = this.key(
      `${name}-logs`,
      `${namePrefix} logs: CloudWatch log groups`,
      aws.iam.getPolicyDocumentOutput({ statements: logsStatements }).json,
      tags,
    );

    // DynamoDB and ECR use the key through grants made by the caller's IAM permissions.
    this.dataKey = this.key(
      `${name}-data`,
      `${namePrefix} data: DynamoDB conversation store, ECR images`,
      aws.iam.getPolicyDocumentOutput({ statements: [root] }).json,
      tags,
    );

    this.registerOutputs({
      messagingKeyArn: this.messagingKey.arn,
      logsKeyArn: this.logsKey.arn,
      dataKeyArn: this.dataKey.arn,
    });
  }

  private key(
    name: string,
    description: string,
    policy: pulumi.Input<string>,
    tags: Record<string, string>,
  ): aws.kms.Key {
    const key = new aws.kms.Key(
      name,
      {
        description,
        enableKeyRotation: secureDefaults.kmsKeyRotation,
        deletionWindowInDays: secureDefaults.kmsDeletionWindowDays,
        bypassPolicyLockoutSafetyCheck: false,
        keyUsage: "ENCRYPT_DECRYPT",
        customerMasterKeySpec: "SYMMETRIC_DEFAULT",
        policy,
        tags,
      },
      { parent: this },
    );
    new aws.kms.Alias(
      `${name}-alias`,
      { name: `alias/${name}`, targetKeyId: key.keyId },
      { parent: this },
    );
    return key;
  }
}
