import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { keyThroughServiceOnly } from "./policyStatements";
import type { RuntimeServiceArgs } from "./runtimeService";
import { provisionServiceRole, type ServiceRole } from "./serviceRole";

/**
 * The runtime's two roles, as awsx keeps a Fargate service's roles apart from the service: the
 * task role (what the code may do: send from this number and configuration set, read its opt-out
 * list, use this table and the send queue and its schedules, append audit events) and the execution role (what the ECS agent may do:
 * pull this image, write this log group, read these secrets). Children of `parent`, so their
 * names and URNs are those they had inside RuntimeService.
 */
export function createRuntimeRoles(
  name: string,
  args: RuntimeServiceArgs,
  parent: pulumi.Resource,
): { task: ServiceRole; execution: ServiceRole } {
  const { tags, accountId, region } = args.context;
  const task = provisionServiceRole(
    {
      name: `${name}-task`,
      policyName: `${name}-task`,
      description:
        "The SMS runtime: send from this stack's number, use its table, append audit events",
      service: "ecs-tasks.amazonaws.com",
      accountId,
      tags,
      statements: [
        {
          sid: "SendFromThisNumberAndConfigurationSet",
          actions: ["sms-voice:SendTextMessage"],
          resources: [args.send.phoneNumberArn, args.send.configurationSetArn],
        },
        {
          // The runtime's readiness check reads the number's status and two-way settings.
          sid: "DescribeThisNumber",
          actions: ["sms-voice:DescribePhoneNumbers"],
          resources: [args.send.phoneNumberArn],
        },
        {
          // get_opt_out_status looks one number up in this number's list (an opt-out-list ARN).
          sid: "ReadThisOptOutList",
          actions: ["sms-voice:DescribeOptedOutNumbers"],
          resources: [args.send.optOutListArn],
        },
        {
          sid: "ConversationTableItems",
          actions: [
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:DeleteItem",
            "dynamodb:Query",
            "dynamodb:ConditionCheckItem",
          ],
          resources: [args.table.arn, pulumi.interpolate`${args.table.arn}/index/*`],
        },
        keyThroughServiceOnly(
          "TableKeyThroughDynamoDbOnly",
          ["kms:Decrypt", "kms:GenerateDataKey"],
          args.table.kmsKeyArn,
          `dynamodb.${region}.amazonaws.com`,
        ),
        {
          // The worker's receive/delete/hand-back, and the queue depth /readyz reports.
          sid: "UseTheSendQueue",
          actions: [
            "sqs:SendMessage",
            "sqs:ReceiveMessage",
            "sqs:DeleteMessage",
            "sqs:ChangeMessageVisibility",
            "sqs:GetQueueAttributes",
          ],
          resources: [args.outbound.queueArn],
        },
        keyThroughServiceOnly(
          "SendQueueKeyThroughSqsOnly",
          ["kms:Decrypt", "kms:GenerateDataKey"],
          args.outbound.kmsKeyArn,
          `sqs.${region}.amazonaws.com`,
        ),
        {
          // One-time schedules for sends due later than SQS's 15-minute delay; a send deferred
          // again updates its schedule. Nothing outside this group's schedules.
          sid: "ManageSendSchedules",
          actions: [
            "scheduler:CreateSchedule",
            "scheduler:UpdateSchedule",
            "scheduler:DeleteSchedule",
            "scheduler:GetSchedule",
          ],
          resources: [args.outbound.scheduleArns],
        },
        {
          sid: "PassTheSchedulerRoleToSchedulerOnly",
          actions: ["iam:PassRole"],
          resources: [args.outbound.schedulerRoleArn],
          conditions: [
            {
              test: "StringEquals",
              variable: "iam:PassedToService",
              values: ["scheduler.amazonaws.com"],
            },
          ],
        },
        // Schedules created with KmsKeyArn (the send queue's key): Scheduler checks the key and
        // encrypts the payload with the caller's permissions, for this group's schedules only.
        // DescribeKey carries no encryption context, so it is conditioned on the service alone.
        keyThroughServiceOnly(
          "ScheduleKeyDescribedThroughSchedulerOnly",
          ["kms:DescribeKey"],
          args.outbound.kmsKeyArn,
          `scheduler.${region}.amazonaws.com`,
        ),
        {
          sid: "ScheduleKeyThroughSchedulerOnly",
          actions: ["kms:GenerateDataKey", "kms:Decrypt"],
          resources: [args.outbound.kmsKeyArn],
          conditions: [
            {
              test: "StringEquals",
              variable: "kms:ViaService",
              values: [`scheduler.${region}.amazonaws.com`],
            },
            {
              test: "ArnLike",
              variable: "kms:EncryptionContext:aws:scheduler:schedule:arn",
              values: [args.outbound.scheduleArns],
            },
          ],
        },
        {
          sid: "AppendAuditEvents",
          actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
          resources: [pulumi.interpolate`${args.auditLogGroupArn}:*`],
        },
        // Rotated secrets are read by the running task itself (not injected at start), so it
        // picks up a new value without a restart.
        ...(args.rotatedSecretArns?.length
          ? [
              {
                sid: "ReadRotatedSecrets",
                actions: ["secretsmanager:GetSecretValue"],
                resources: args.rotatedSecretArns,
              },
              keyThroughServiceOnly(
                "RotatedSecretsKeyThroughSecretsManagerOnly",
                ["kms:Decrypt"],
                args.secretsKeyArn,
                `secretsmanager.${region}.amazonaws.com`,
              ),
            ]
          : []),
      ],
    },
    { parent },
  );

  const pull: aws.types.input.iam.GetPolicyDocumentStatementArgs[] = args.repositoryArn
    ? [
        // GetAuthorizationToken is account-wide by design: it has no resource to scope to.
        { sid: "EcrLogin", actions: ["ecr:GetAuthorizationToken"], resources: ["*"] },
        {
          sid: "PullThisImage",
          actions: [
            "ecr:BatchGetImage",
            "ecr:GetDownloadUrlForLayer",
            "ecr:BatchCheckLayerAvailability",
          ],
          resources: [args.repositoryArn],
        },
      ]
    : [];
  const execution = provisionServiceRole(
    {
      name: `${name}-execution`,
      policyName: `${name}-execution`,
      description: "ECS agent: pull the image, write service logs, read the runtime's secrets",
      service: "ecs-tasks.amazonaws.com",
      accountId,
      tags,
      statements: [
        ...pull,
        {
          sid: "WriteServiceLogs",
          actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
          resources: [pulumi.interpolate`${args.logGroupArn}:*`],
        },
        {
          sid: "ReadRuntimeSecrets",
          actions: ["secretsmanager:GetSecretValue"],
          resources: Object.values(args.secrets),
        },
        keyThroughServiceOnly(
          "SecretsKeyThroughSecretsManagerOnly",
          ["kms:Decrypt"],
          args.secretsKeyArn,
          `secretsmanager.${region}.amazonaws.com`,
        ),
      ],
    },
    { parent },
  );
  return { task, execution };
}
