import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { secureDefaults } from "../secureDefaults";
import type { AwsContext } from "./awsContext";
import { denyInsecureTransport } from "./policyStatements";
import { defineAlarms, type AlarmArgs } from "./monitoringAlarms";
import { monitoringDashboardBody } from "./monitoringDashboard";

export interface MonitoringArgs {
  context: AwsContext;
  messagingKeyArn: pulumi.Input<string>;
  alarmEmail: string;
  loadBalancerArnSuffix: pulumi.Input<string>;
  targetGroupArnSuffix: pulumi.Input<string>;
  clusterName: pulumi.Input<string>;
  serviceName: pulumi.Input<string>;
  eventRuleName: pulumi.Input<string>;
  inboundTopicName: pulumi.Input<string>;
  deadLetterQueueNames: Record<string, pulumi.Input<string>>;
  /** The spend alarm's threshold; the stack's default is in infra/stackDefaults.ts. */
  smsMonthlyBudgetUsd: number;
  /** The outbound queue of due sends and its DLQ (issue 12). */
  sendQueue: { queueName: pulumi.Input<string>; deadLetterQueueName: pulumi.Input<string> };
  /** The namespace of the metrics made from the runtime's log lines (RuntimeLogMetrics). */
  runtimeMetricsNamespace: string;
}

/**
 * What wakes someone up (W1, W2): an encrypted alarm topic with an email subscription, and alarms,
 * every one with alarm and OK actions, on the ALB, the tasks, EventBridge and SNS delivery, the
 * delivery DLQs, the outbound send queue's age and its DLQ, sends held by the registration gate
 * and sends whose outcome is unknown (from the runtime's log lines), SMS spend against the
 * budget and the delivered/sent ratio; plus a dashboard of the same.
 */
export class Monitoring extends pulumi.ComponentResource {
  readonly alarmTopic: aws.sns.Topic;
  readonly alarms: aws.cloudwatch.MetricAlarm[] = [];
  readonly dashboard: aws.cloudwatch.Dashboard;
  private readonly baseName: string;
  private readonly tags: Record<string, string>;

  constructor(name: string, args: MonitoringArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("eum-sms:monitoring:Monitoring", name, {}, opts);
    const { tags, namePrefix, accountId } = args.context;
    this.baseName = name;
    this.tags = tags;

    this.alarmTopic = new aws.sns.Topic(
      `${name}-alarms`,
      {
        name: `${namePrefix}-alarms`,
        kmsMasterKeyId: args.messagingKeyArn,
        signatureVersion: secureDefaults.snsSignatureVersion,
        tags,
      },
      { parent: this },
    );
    new aws.sns.TopicPolicy(
      `${name}-alarms-policy`,
      {
        arn: this.alarmTopic.arn,
        policy: aws.iam.getPolicyDocumentOutput({
          statements: [
            {
              sid: "CloudWatchAlarmsPublish",
              principals: [{ type: "Service", identifiers: ["cloudwatch.amazonaws.com"] }],
              actions: ["sns:Publish"],
              resources: [this.alarmTopic.arn],
              conditions: [
                { test: "StringEquals", variable: "aws:SourceAccount", values: [accountId] },
              ],
            },
            denyInsecureTransport(
              ["sns:Publish", "sns:Subscribe", "sns:Receive"],
              [this.alarmTopic.arn],
            ),
          ],
        }).json,
      },
      { parent: this },
    );
    new aws.sns.TopicSubscription(
      `${name}-alarms-email`,
      { topic: this.alarmTopic.arn, protocol: "email", endpoint: args.alarmEmail },
      { parent: this },
    );

    defineAlarms((id, description, alarmArgs) => this.alarm(id, description, alarmArgs), args);

    this.dashboard = new aws.cloudwatch.Dashboard(
      `${name}-dashboard`,
      {
        dashboardName: namePrefix,
        dashboardBody: monitoringDashboardBody(args),
      },
      { parent: this },
    );

    this.registerOutputs({
      alarmTopicArn: this.alarmTopic.arn,
      dashboardName: this.dashboard.dashboardName,
    });
  }

  private alarm(id: string, description: string, args: AlarmArgs): aws.cloudwatch.MetricAlarm {
    const alarm = new aws.cloudwatch.MetricAlarm(
      `${this.baseName}-${id}`,
      {
        treatMissingData: "notBreaching",
        ...args,
        alarmDescription: description,
        alarmActions: [this.alarmTopic.arn],
        okActions: [this.alarmTopic.arn],
        tags: this.tags,
      },
      { parent: this },
    );
    this.alarms.push(alarm);
    return alarm;
  }
}
