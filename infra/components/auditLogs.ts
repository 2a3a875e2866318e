import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AwsContext } from "./awsContext";
import { cloudTrailArn } from "./encryption";
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
