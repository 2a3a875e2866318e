import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { secureDefaults } from "../secureDefaults";
import type { AwsContext } from "./awsContext";
import { denyInsecureTransport } from "./policyStatements";

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
  smsMonthlyBudgetUsd: number;
}

type MetricQuery = aws.types.input.cloudwatch.MetricAlarmMetricQuery;

/**
 * What wakes someone up (W1, W2): an encrypted alarm topic with an email subscription, and alarms,
 * every one with alarm and OK actions, on the ALB, the tasks, EventBridge and SNS delivery, both
 * DLQs, SMS spend against the budget and the delivered/sent ratio; plus a dashboard of the same.
 */
export class Monitoring extends pulumi.ComponentResource {
  readonly alarmTopic: aws.sns.Topic;
  readonly alarms: aws.cloudwatch.MetricAlarm[] = [];
  readonly dashboard: aws.cloudwatch.Dashboard;
  private readonly baseName: string;
  private readonly tags: Record<string, string>;

  constructor(name: string, args: MonitoringArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("eum-sms:monitoring:Monitoring", name, {}, opts);
    const { tags, namePrefix, accountId, region } = args.context;
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

    const alb = { LoadBalancer: args.loadBalancerArnSuffix };
    const service = { ClusterName: args.clusterName, ServiceName: args.serviceName };
    const simple = (
      id: string,
      description: string,
      metric: Omit<
        aws.cloudwatch.MetricAlarmArgs,
        | "alarmDescription"
        | "alarmActions"
        | "okActions"
        | "comparisonOperator"
        | "evaluationPeriods"
      > & { comparisonOperator?: string; evaluationPeriods?: number },
    ) =>
      this.alarm(id, description, {
        comparisonOperator: "GreaterThanThreshold",
        evaluationPeriods: 1,
        period: 300,
        ...metric,
      });

    simple("alb-5xx", "The ALB itself answered 5xx (no healthy target, TLS or capacity trouble)", {
      namespace: "AWS/ApplicationELB",
      metricName: "HTTPCode_ELB_5XX_Count",
      dimensions: alb,
      statistic: "Sum",
      threshold: 5,
    });
    simple(
      "target-5xx",
      "The runtime answered 5xx: store unavailable or internal errors; SNS/EventBridge will retry",
      {
        namespace: "AWS/ApplicationELB",
        metricName: "HTTPCode_Target_5XX_Count",
        dimensions: alb,
        statistic: "Sum",
        threshold: 5,
      },
    );
    simple("unhealthy-hosts", "A runtime task fails its /readyz check", {
      namespace: "AWS/ApplicationELB",
      metricName: "UnHealthyHostCount",
      dimensions: { ...alb, TargetGroup: args.targetGroupArnSuffix },
      statistic: "Maximum",
      threshold: 0,
      period: 60,
      evaluationPeriods: 3,
    });
    simple("p99-latency", "p99 response time above 2 s: EventBridge gives up at 5 s", {
      namespace: "AWS/ApplicationELB",
      metricName: "TargetResponseTime",
      dimensions: alb,
      extendedStatistic: "p99",
      threshold: 2,
    });
    simple("cpu", "Runtime CPU above 85%", {
      namespace: "AWS/ECS",
      metricName: "CPUUtilization",
      dimensions: service,
      statistic: "Average",
      threshold: 85,
      evaluationPeriods: 3,
    });
    simple("memory", "Runtime memory above 85%", {
      namespace: "AWS/ECS",
      metricName: "MemoryUtilization",
      dimensions: service,
      statistic: "Average",
      threshold: 85,
      evaluationPeriods: 3,
    });
    simple(
      "eventbridge-failed",
      "EventBridge could not deliver delivery-status events to the webhook",
      {
        namespace: "AWS/Events",
        metricName: "FailedInvocations",
        dimensions: { RuleName: args.eventRuleName },
        statistic: "Sum",
        threshold: 0,
      },
    );
    simple("sns-failed", "SNS could not deliver inbound SMS to the webhook", {
      namespace: "AWS/SNS",
      metricName: "NumberOfNotificationsFailed",
      dimensions: { TopicName: args.inboundTopicName },
      statistic: "Sum",
      threshold: 0,
    });
    for (const [label, queueName] of Object.entries(args.deadLetterQueueNames)) {
      simple(
        `${label}-dlq`,
        `Messages in the ${label} dead-letter queue: deliveries AWS gave up on; replay them`,
        {
          namespace: "AWS/SQS",
          metricName: "ApproximateNumberOfMessagesVisible",
          dimensions: { QueueName: queueName },
          statistic: "Maximum",
          threshold: 0,
        },
      );
    }
    // AWS/SMSVoice metric names, statistics and dimensions are from End User Messaging's
    // CloudWatch page (https://docs.aws.amazon.com/sms-voice/latest/userguide/monitoring-cloudwatch.html):
    // TextMessageMonthlySpend (USD, Maximum) and NumberOfTextMessageParts{Sent,Delivered} exist
    // with no dimensions (the account total in this Region); tests/infra/deployability.test.ts
    // pins them. Mocks cannot tell a misspelt metric from a real one: it would just never alarm.
    simple(
      "sms-spend",
      `SMS spend this month above 80% of the $${args.smsMonthlyBudgetUsd} budget`,
      {
        namespace: "AWS/SMSVoice",
        metricName: "TextMessageMonthlySpend",
        statistic: "Maximum",
        threshold: args.smsMonthlyBudgetUsd * 0.8,
        period: 3600,
      },
    );

    const m = (
      id: string,
      namespace: string,
      metricName: string,
      stat: string,
      dimensions: Record<string, pulumi.Input<string>>,
      period = 300,
    ): MetricQuery => ({
      id,
      returnData: false,
      metric: { namespace, metricName, stat, period, dimensions },
    });
    this.alarm("tasks-below-desired", "Fewer runtime tasks running than desired", {
      comparisonOperator: "GreaterThanThreshold",
      threshold: 0,
      evaluationPeriods: 3,
      metricQueries: [
        m("running", "ECS/ContainerInsights", "RunningTaskCount", "Average", service, 60),
        m("desired", "ECS/ContainerInsights", "DesiredTaskCount", "Average", service, 60),
        {
          id: "missing",
          expression: "desired - running",
          label: "tasks missing",
          returnData: true,
        },
      ],
      treatMissingData: "breaching",
    });
    this.alarm("delivery-ratio", "Under 80% of SMS parts sent in the last hour were delivered", {
      comparisonOperator: "LessThanThreshold",
      threshold: 0.8,
      evaluationPeriods: 1,
      metricQueries: [
        m("sent", "AWS/SMSVoice", "NumberOfTextMessagePartsSent", "Sum", {}, 3600),
        m("delivered", "AWS/SMSVoice", "NumberOfTextMessagePartsDelivered", "Sum", {}, 3600),
        // Below 10 parts an hour the ratio is noise.
        {
          id: "ratio",
          expression: "IF(sent >= 10, delivered / sent, 1)",
          label: "delivered/sent",
          returnData: true,
        },
      ],
    });

    this.dashboard = new aws.cloudwatch.Dashboard(
      `${name}-dashboard`,
      {
        dashboardName: namePrefix,
        dashboardBody: pulumi.jsonStringify({
          widgets: [
            widget(0, "Webhook requests and errors", region, [
              [
                "AWS/ApplicationELB",
                "RequestCount",
                "LoadBalancer",
                args.loadBalancerArnSuffix,
                { stat: "Sum" },
              ],
              [".", "HTTPCode_Target_5XX_Count", ".", ".", { stat: "Sum" }],
              [".", "HTTPCode_Target_4XX_Count", ".", ".", { stat: "Sum" }],
              [".", "HTTPCode_ELB_5XX_Count", ".", ".", { stat: "Sum" }],
            ]),
            widget(1, "Response time p50 / p99", region, [
              [
                "AWS/ApplicationELB",
                "TargetResponseTime",
                "LoadBalancer",
                args.loadBalancerArnSuffix,
                { stat: "p50" },
              ],
              ["...", { stat: "p99" }],
            ]),
            widget(2, "SMS parts sent / delivered, inbound", region, [
              ["AWS/SMSVoice", "NumberOfTextMessagePartsSent", { stat: "Sum" }],
              [".", "NumberOfTextMessagePartsDelivered", { stat: "Sum" }],
              [".", "NumberOfMessagesReceived", { stat: "Sum" }],
            ]),
            widget(3, "SMS spend this month (USD)", region, [
              ["AWS/SMSVoice", "TextMessageMonthlySpend", { stat: "Maximum" }],
            ]),
            widget(4, "Runtime CPU / memory", region, [
              [
                "AWS/ECS",
                "CPUUtilization",
                "ClusterName",
                args.clusterName,
                "ServiceName",
                args.serviceName,
              ],
              [".", "MemoryUtilization", ".", ".", ".", "."],
            ]),
            widget(5, "Deliveries to the webhook that failed", region, [
              ["AWS/Events", "FailedInvocations", "RuleName", args.eventRuleName, { stat: "Sum" }],
              [
                "AWS/SNS",
                "NumberOfNotificationsFailed",
                "TopicName",
                args.inboundTopicName,
                { stat: "Sum" },
              ],
              ...Object.values(args.deadLetterQueueNames).map((q) => [
                "AWS/SQS",
                "ApproximateNumberOfMessagesVisible",
                "QueueName",
                q,
                { stat: "Maximum" },
              ]),
            ]),
          ],
        }),
      },
      { parent: this },
    );

    this.registerOutputs({
      alarmTopicArn: this.alarmTopic.arn,
      dashboardName: this.dashboard.dashboardName,
    });
  }

  private alarm(
    id: string,
    description: string,
    args: Omit<aws.cloudwatch.MetricAlarmArgs, "alarmDescription" | "alarmActions" | "okActions">,
  ): aws.cloudwatch.MetricAlarm {
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

function widget(index: number, title: string, region: string, metrics: unknown[][]) {
  return {
    type: "metric",
    x: (index % 2) * 12,
    y: Math.floor(index / 2) * 6,
    width: 12,
    height: 6,
    properties: { title, region, metrics, view: "timeSeries", stacked: false, period: 300 },
  };
}
