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

/** The ARN of the trail AuditLogs creates (named for the stack), which the logs key names. */
export function cloudTrailArn(context: AwsContext): pulumi.Output<string> {
  const { partition, region, accountId, namePrefix } = context;
  return pulumi.interpolate`arn:${partition}:cloudtrail:${region}:${accountId}:trail/${namePrefix}`;
}

/**
 * The sources that dead-letter into the stack's encrypted queues: its SNS topics and its
 * EventBridge rules, all named `<namePrefix>-…`.
 */
export function dlqSourceArnPatterns(context: AwsContext) {
  const { partition, region, accountId, namePrefix } = context;
  return {
    sns: pulumi.interpolate`arn:${partition}:sns:${region}:${accountId}:${namePrefix}-*`,
    events: pulumi.interpolate`arn:${partition}:events:${region}:${accountId}:rule/${namePrefix}-*`,
  };
}

/**
 * Customer-managed KMS keys (K1, K2), one per kind of data so a key policy names only the services
 * that need it:
 * - `messaging`: SNS topics, their SQS DLQs, the outbound send queue and its DLQ (and the
 *   payloads of its one-time schedules, when the runtime passes the key as `KmsKeyArn`), the
 *   EventBridge connection secret and the runtime's secrets. Tagged
 *   `EventBridgeApiDestinations=true`, which EventBridge requires of a CMK. SQS and EventBridge
 *   Scheduler use it with the credentials of the caller (the task role, the Scheduler role), so
 *   those roles' policies, not this key policy, grant them: through SQS or Scheduler only
 *   (`kms:ViaService`), Scheduler's for this stack's schedules only (encryption context).
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
        // The services that write to an encrypted SQS queue are scoped by the resource they act
        // for (aws:SourceArn), as SQS's key-policy example for AWS service sources does
        // (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html,
        // "Enable compatibility between encrypted queues and AWS services"); aws:SourceAccount is
        // not documented to be present on those calls. The names are this stack's (the key
        // exists before the topic and the rule, so their ARNs cannot be used).
        serviceUse("SnsWritesEncryptedDlq", "sns.amazonaws.com", [
          {
            test: "ArnLike",
            variable: "aws:SourceArn",
            values: [dlqSourceArnPatterns(args.context).sns],
          },
        ]),
        serviceUse("EventBridgeWritesEncryptedDlq", "events.amazonaws.com", [
          {
            test: "ArnLike",
            variable: "aws:SourceArn",
            values: [dlqSourceArnPatterns(args.context).events],
          },
        ]),
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
      // CloudTrail's required key-policy sections for a trail
      // (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html):
      // encrypt (GenerateDataKey* under the trail's encryption context), describe the key
      // (DescribeKey carries no encryption context, so it must not be conditioned on one), and
      // kms:Decrypt, which CreateTrail/UpdateTrail need when the trail bucket uses an S3 Bucket
      // Key with SSE-KMS (the LogBucket does). aws:SourceArn names this stack's trail, as the
      // page recommends.
      const trail = cloudTrailArn(args.context);
      const fromThisTrail = { test: "StringEquals", variable: "aws:SourceArn", values: [trail] };
      logsStatements.push(
        {
          sid: "CloudTrailEncryptsLogs",
          principals: [{ type: "Service", identifiers: ["cloudtrail.amazonaws.com"] }],
          actions: ["kms:GenerateDataKey*"],
          resources: ["*"],
          conditions: [
            fromThisTrail,
            {
              test: "StringLike",
              variable: "kms:EncryptionContext:aws:cloudtrail:arn",
              values: [pulumi.interpolate`arn:${partition}:cloudtrail:*:${accountId}:trail/*`],
            },
          ],
        },
        {
          sid: "CloudTrailDescribesKeyAndDecryptsForBucketKey",
          principals: [{ type: "Service", identifiers: ["cloudtrail.amazonaws.com"] }],
          actions: ["kms:DescribeKey", "kms:Decrypt"],
          resources: ["*"],
          conditions: [fromThisTrail],
        },
      );
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
