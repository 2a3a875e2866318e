import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { LOG_METRICS } from "../../runtime/src/contract/logMetrics";
import { secureDefaults } from "../secureDefaults";
import type { MonitoringArgs } from "./monitoring";

type MetricQuery = aws.types.input.cloudwatch.MetricAlarmMetricQuery;

/** An alarm's settings without what every alarm shares (its description and actions). */
export type AlarmArgs = Omit<
  aws.cloudwatch.MetricAlarmArgs,
  "alarmDescription" | "alarmActions" | "okActions"
>;

/**
 * The alarms (W1, W2): the ALB, the tasks, EventBridge and SNS delivery, the delivery DLQs, the
 * outbound send queue's age and DLQ (issue 12), sends held by the registration gate and sends
 * whose outcome is unknown (metrics from the runtime's log lines), SMS spend against the budget
 * and the delivered/sent ratio. `alarm` creates one under Monitoring with the
 * alarm topic as its alarm and OK action, so names and URNs stay Monitoring's.
 */
export function defineAlarms(
  alarm: (id: string, description: string, args: AlarmArgs) => aws.cloudwatch.MetricAlarm,
  args: MonitoringArgs,
): void {
  const alb = { LoadBalancer: args.loadBalancerArnSuffix };
  const service = { ClusterName: args.clusterName, ServiceName: args.serviceName };
  const overThreshold = (
    id: string,
    description: string,
    metric: Omit<
      aws.cloudwatch.MetricAlarmArgs,
      "alarmDescription" | "alarmActions" | "okActions" | "comparisonOperator" | "evaluationPeriods"
    > & { comparisonOperator?: string; evaluationPeriods?: number },
  ) =>
    alarm(id, description, {
      comparisonOperator: "GreaterThanThreshold",
      evaluationPeriods: 1,
      period: 300,
      ...metric,
    });

  overThreshold(
    "alb-5xx",
    "The ALB itself answered 5xx (no healthy target, TLS or capacity trouble)",
    {
      namespace: "AWS/ApplicationELB",
      metricName: "HTTPCode_ELB_5XX_Count",
      dimensions: alb,
      statistic: "Sum",
      threshold: 5,
    },
  );
  overThreshold(
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
  overThreshold("unhealthy-hosts", "A runtime task fails its /readyz check", {
    namespace: "AWS/ApplicationELB",
    metricName: "UnHealthyHostCount",
    dimensions: { ...alb, TargetGroup: args.targetGroupArnSuffix },
    statistic: "Maximum",
    threshold: 0,
    period: 60,
    evaluationPeriods: 3,
  });
  overThreshold("p99-latency", "p99 response time above 2 s: EventBridge gives up at 5 s", {
    namespace: "AWS/ApplicationELB",
    metricName: "TargetResponseTime",
    dimensions: alb,
    extendedStatistic: "p99",
    threshold: 2,
  });
  overThreshold("cpu", "Runtime CPU above 85%", {
    namespace: "AWS/ECS",
    metricName: "CPUUtilization",
    dimensions: service,
    statistic: "Average",
    threshold: 85,
    evaluationPeriods: 3,
  });
  overThreshold("memory", "Runtime memory above 85%", {
    namespace: "AWS/ECS",
    metricName: "MemoryUtilization",
    dimensions: service,
    statistic: "Average",
    threshold: 85,
    evaluationPeriods: 3,
  });
  overThreshold(
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
  overThreshold("sns-failed", "SNS could not deliver inbound SMS to the webhook", {
    namespace: "AWS/SNS",
    metricName: "NumberOfNotificationsFailed",
    dimensions: { TopicName: args.inboundTopicName },
    statistic: "Sum",
    threshold: 0,
  });
  for (const [label, queueName] of Object.entries(args.deadLetterQueueNames)) {
    overThreshold(
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
  // The outbound queue (issue 12). A due send waits in the queue only while no task receives it
  // or the number's rate is full: an old message means sends are late for their patients.
  overThreshold(
    "send-queue-age",
    `A due send has waited over ${secureDefaults.sendQueue.oldestMessageAlarmSeconds / 60} minutes in the outbound queue: workers stopped, or the backlog exceeds the number's rate`,
    {
      namespace: "AWS/SQS",
      metricName: "ApproximateAgeOfOldestMessage",
      dimensions: { QueueName: args.sendQueue.queueName },
      statistic: "Maximum",
      threshold: secureDefaults.sendQueue.oldestMessageAlarmSeconds,
      period: 60,
      evaluationPeriods: 5,
    },
  );
  overThreshold(
    "send-dlq",
    `Sends in the outbound queue's DLQ: received ${secureDefaults.sendQueue.maxReceiveCount} times without an end; their records wait in the store: redrive them`,
    {
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: args.sendQueue.deadLetterQueueName },
      statistic: "Maximum",
      threshold: 0,
    },
  );
  // From the runtime's log lines (RuntimeLogMetrics). SendsHeld is a gauge each task writes on
  // every change and after every number readiness check (5 min): held in 3 of the last 4
  // five-minute periods is about 15 minutes held, and one period a late check leaves empty does
  // not reset it. Maximum across tasks: a Registration Status Change event reaches one task.
  overThreshold(
    "sends-held",
    "Sends held for about 15 minutes: the number or its registration is not active (see /readyz sendsHeldReason); sends queue and go out once it is",
    {
      namespace: args.runtimeMetricsNamespace,
      metricName: LOG_METRICS.sendsHeld.name,
      statistic: "Maximum",
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      threshold: 1,
      period: 300,
      evaluationPeriods: 4,
      datapointsToAlarm: 3,
    },
  );
  overThreshold(
    "send-outcome-unknown",
    "A send's outcome is unknown (its task stopped during the gateway call): it is not re-sent; check the patient's delivery events before sending again",
    {
      namespace: args.runtimeMetricsNamespace,
      metricName: LOG_METRICS.sendOutcomeUnknown.name,
      statistic: "Sum",
      threshold: 0,
    },
  );
  // AWS/SMSVoice metric names, statistics and dimensions are from End User Messaging's
  // CloudWatch page (https://docs.aws.amazon.com/sms-voice/latest/userguide/monitoring-cloudwatch.html):
  // TextMessageMonthlySpend (USD, Maximum) and NumberOfTextMessageParts{Sent,Delivered} exist
  // with no dimensions (the account total in this Region); tests/infra/deployability.test.ts
  // pins them. Mocks cannot tell a misspelt metric from a real one: it would just never alarm.
  overThreshold(
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
  alarm("tasks-below-desired", "Fewer runtime tasks running than desired", {
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
  alarm("delivery-ratio", "Under 80% of SMS parts sent in the last hour were delivered", {
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
}
