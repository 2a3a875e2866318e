import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AwsContext } from "./awsContext";
import { cloudTrailArn } from "./encryption";
import { BucketReplica } from "./bucketReplica";
import { LogBucket } from "./logBucket";
import { createServiceRole } from "./serviceRole";

export interface AuditLogsArgs {
  context: AwsContext;
  logsKeyArn: pulumi.Input<string>;
  /** Operational logs (service, flow logs, WAF). */
  retentionDays: number;
  /** Audit events and CloudTrail: HIPAA documentation is kept six years. */
  auditRetentionDays: number;
  deletionProtection: boolean;
  /** An optional multi-region trail, for accounts without an organization trail (V2). */
  cloudTrail: boolean;
  /** With the trail: a second region its bucket is copied to (config trailReplicaRegion). */
  trailReplicaRegion?: string;
}

/**
 * The stack's CloudWatch log groups, all under the logs key with explicit retention (F3), and the
 * optional CloudTrail trail (V2: multi-region, log file validation, CMK, to CloudWatch Logs).
 */
export class AuditLogs extends pulumi.ComponentResource {
  readonly serviceLogGroup: aws.cloudwatch.LogGroup;
  readonly auditLogGroup: aws.cloudwatch.LogGroup;
  readonly flowLogGroup: aws.cloudwatch.LogGroup;
  /** WAF requires the `aws-waf-logs-` prefix. */
  readonly wafLogGroup: aws.cloudwatch.LogGroup;
  readonly trail?: aws.cloudtrail.Trail;
  readonly trailBucket?: LogBucket;
  readonly trailReplica?: BucketReplica;

  constructor(name: string, args: AuditLogsArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("eum-sms:audit:AuditLogs", name, {}, opts);
    const { tags, namePrefix, accountId } = args.context;
    const group = (suffix: string, groupName: string, retentionInDays: number) =>
      new aws.cloudwatch.LogGroup(
        `${name}-${suffix}`,
        {
          name: groupName,
          kmsKeyId: args.logsKeyArn,
          retentionInDays,
          deletionProtectionEnabled: args.deletionProtection,
          tags,
        },
        { parent: this },
      );
    this.serviceLogGroup = group("service", `/eum-sms/${namePrefix}/service`, args.retentionDays);
    this.auditLogGroup = group("audit", `/eum-sms/${namePrefix}/audit`, args.auditRetentionDays);
    this.flowLogGroup = group("flow", `/eum-sms/${namePrefix}/vpc-flow`, args.retentionDays);
    this.wafLogGroup = group("waf", `aws-waf-logs-${namePrefix}`, args.retentionDays);

    if (args.cloudTrail) {
      const trailGroup = group(
        "trail",
        `/eum-sms/${namePrefix}/cloudtrail`,
        args.auditRetentionDays,
      );
      const trailArn = cloudTrailArn(args.context);
      const trailBucket = new LogBucket(
        `${name}-trail-bucket`,
        {
          kmsKeyArn: args.logsKeyArn,
          forceDestroy: false,
          // HIPAA documentation is kept six years (164.316(b)(2)); older trail files expire.
          expireAfterDays: args.auditRetentionDays,
          tags,
          writers: (bucketArn) => [
            {
              sid: "CloudTrailAclCheck",
              principals: [{ type: "Service", identifiers: ["cloudtrail.amazonaws.com"] }],
              actions: ["s3:GetBucketAcl"],
              resources: [bucketArn],
              conditions: [{ test: "StringEquals", variable: "aws:SourceArn", values: [trailArn] }],
            },
            {
              sid: "CloudTrailWrite",
              principals: [{ type: "Service", identifiers: ["cloudtrail.amazonaws.com"] }],
              actions: ["s3:PutObject"],
              resources: [pulumi.interpolate`${bucketArn}/AWSLogs/${accountId}/*`],
              conditions: [
                { test: "StringEquals", variable: "aws:SourceArn", values: [trailArn] },
                {
                  test: "StringEquals",
                  variable: "s3:x-amz-acl",
                  values: ["bucket-owner-full-control"],
                },
              ],
            },
          ],
        },
        { parent: this },
      );
      this.trailBucket = trailBucket;
      const accessLogPrefix = "trail-bucket/";
      // Server access logs of the trail bucket (A3): who read or deleted audit records. S3
      // delivers them only to a bucket whose default encryption is SSE-S3, not SSE-KMS
      // (https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html);
      // the log lines carry requesters and keys, no PHI. This bucket is not itself logged: logs
      // of the log delivery would need a third bucket, and so on.
      const accessLogBucket = new LogBucket(
        `${name}-trail-s3-logs`,
        {
          forceDestroy: false,
          expireAfterDays: args.auditRetentionDays,
          tags,
          writers: (bucketArn) => [
            {
              sid: "S3ServerAccessLogs",
              principals: [{ type: "Service", identifiers: ["logging.s3.amazonaws.com"] }],
              actions: ["s3:PutObject"],
              resources: [pulumi.interpolate`${bucketArn}/${accessLogPrefix}*`],
              conditions: [
                { test: "StringEquals", variable: "aws:SourceAccount", values: [accountId] },
                { test: "ArnLike", variable: "aws:SourceArn", values: [trailBucket.bucket.arn] },
              ],
            },
          ],
        },
        { parent: this },
      );
      new aws.s3.BucketLogging(
        `${name}-trail-bucket-access-logs`,
        {
          bucket: trailBucket.bucket.id,
          targetBucket: accessLogBucket.bucket.id,
          targetPrefix: accessLogPrefix,
        },
        { parent: this, dependsOn: [accessLogBucket.policy] },
      );
      if (args.trailReplicaRegion) {
        this.trailReplica = new BucketReplica(
          `${name}-trail-replica`,
          {
            context: args.context,
            source: trailBucket.bucket,
            sourceKeyArn: args.logsKeyArn,
            sourceVersioning: trailBucket.versioning,
            region: args.trailReplicaRegion,
            expireAfterDays: args.auditRetentionDays,
            forceDestroy: false,
          },
          { parent: this },
        );
      }
      const trailRole = createServiceRole(
        {
          name: `${name}-trail`,
          policyName: `${name}-trail-logs`,
          description: "CloudTrail writes the trail to its log group",
          service: "cloudtrail.amazonaws.com",
          accountId,
          statements: [
            {
              actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
              resources: [pulumi.interpolate`${trailGroup.arn}:*`],
            },
          ],
          tags,
        },
        { parent: this },
      );
      this.trail = new aws.cloudtrail.Trail(
        `${name}-trail`,
        {
          name: namePrefix,
          s3BucketName: trailBucket.bucket.id,
          isMultiRegionTrail: true,
          includeGlobalServiceEvents: true,
          enableLogFileValidation: true,
          kmsKeyId: args.logsKeyArn,
          cloudWatchLogsGroupArn: pulumi.interpolate`${trailGroup.arn}:*`,
          cloudWatchLogsRoleArn: trailRole.arn,
          tags,
        },
        { parent: this, dependsOn: [trailBucket.policy] },
      );
    }

    this.registerOutputs({
      serviceLogGroup: this.serviceLogGroup.name,
      auditLogGroup: this.auditLogGroup.name,
    });
  }
}
