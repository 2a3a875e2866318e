import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AwsContext } from "./awsContext";
import { keyThroughServiceOnly } from "./policyStatements";
import { provisionServiceRole, type ServiceRole } from "./serviceRole";

export interface SendSchedulerArgs {
  context: AwsContext;
  queueArn: pulumi.Input<string>;
  /** The send queue's CMK, which also encrypts the schedules' payloads (KmsKeyArn). */
  kmsKeyArn: pulumi.Input<string>;
}

/** The ARNs of a schedule group and of the schedules in it. */
export function scheduleArns(context: AwsContext, groupName: string) {
  const { partition, region, accountId } = context;
  return {
    group: pulumi.interpolate`arn:${partition}:scheduler:${region}:${accountId}:schedule-group/${groupName}`,
    schedules: pulumi.interpolate`arn:${partition}:scheduler:${region}:${accountId}:schedule/${groupName}/*`,
  };
}

/**
 * Sends due later than SQS's 15-minute delay (issue 12, E3): an EventBridge Scheduler group the
 * runtime creates one-time schedules in, and the role Scheduler assumes to deliver them. The role
 * trusts Scheduler only for this account and this group's schedules, and may only put a message
 * on the send queue (the queue's CMK through SQS only) and decrypt the schedules' payloads, which
 * the runtime encrypts with the same key (CreateSchedule `KmsKeyArn`).
 */
export class SendScheduler extends pulumi.ComponentResource {
  readonly group: aws.scheduler.ScheduleGroup;
  readonly role: ServiceRole;
  /** The group's name, known before it exists (policies name its schedules' ARNs). */
  readonly groupName: string;

  constructor(name: string, args: SendSchedulerArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("eum-sms:outbound:SendScheduler", name, {}, opts);
    const { context } = args;
    const groupName = `${context.namePrefix}-sends`;
    this.groupName = groupName;
    const arns = scheduleArns(context, groupName);

    this.group = new aws.scheduler.ScheduleGroup(
      name,
      { name: groupName, tags: context.tags },
      { parent: this },
    );
    this.role = provisionServiceRole(
      {
        name: `${name}-delivery`,
        policyName: `${name}-delivery`,
        description: "EventBridge Scheduler: put this stack's scheduled send ids on its send queue",
        service: "scheduler.amazonaws.com",
        accountId: context.accountId,
        // Scheduler names the schedule or its group as the source; both are this group's.
        extraTrustConditions: [
          { test: "ArnLike", variable: "aws:SourceArn", values: [arns.group, arns.schedules] },
        ],
        tags: context.tags,
        statements: [
          {
            sid: "SendToTheSendQueue",
            actions: ["sqs:SendMessage"],
            resources: [args.queueArn],
          },
          keyThroughServiceOnly(
            "QueueKeyThroughSqsOnly",
            ["kms:GenerateDataKey", "kms:Decrypt"],
            args.kmsKeyArn,
            `sqs.${context.region}.amazonaws.com`,
          ),
          {
            // A schedule created with KmsKeyArn is decrypted with this role when it fires.
            sid: "DecryptThisGroupsSchedules",
            actions: ["kms:Decrypt"],
            resources: [args.kmsKeyArn],
            conditions: [
              {
                test: "ArnLike",
                variable: "kms:EncryptionContext:aws:scheduler:schedule:arn",
                values: [arns.schedules],
              },
            ],
          },
        ],
      },
      { parent: this },
    );

    this.registerOutputs({ groupName: this.group.name, roleArn: this.role.role.arn });
  }
}
