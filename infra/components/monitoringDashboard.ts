import * as pulumi from "@pulumi/pulumi";
import { LOG_METRICS } from "../../runtime/src/contract/logMetrics";
import type { MonitoringArgs } from "./monitoring";

/** The dashboard's widgets: the same signals the alarms watch, two widgets a row. */
export function monitoringDashboardBody(args: MonitoringArgs): pulumi.Output<string> {
  const { region } = args.context;
  return pulumi.jsonStringify({
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
      widget(6, "Outbound send queue: waiting, in flight, oldest (s)", region, [
        [
          "AWS/SQS",
          "ApproximateNumberOfMessagesVisible",
          "QueueName",
          args.sendQueue.queueName,
          { stat: "Maximum" },
        ],
        [".", "ApproximateNumberOfMessagesNotVisible", ".", ".", { stat: "Maximum" }],
        [".", "ApproximateAgeOfOldestMessage", ".", ".", { stat: "Maximum", yAxis: "right" }],
      ]),
      widget(7, "Outbound sends: received, deleted, in the DLQ", region, [
        [
          "AWS/SQS",
          "NumberOfMessagesReceived",
          "QueueName",
          args.sendQueue.queueName,
          { stat: "Sum" },
        ],
        [".", "NumberOfMessagesDeleted", ".", ".", { stat: "Sum" }],
        [
          ".",
          "ApproximateNumberOfMessagesVisible",
          "QueueName",
          args.sendQueue.deadLetterQueueName,
          { stat: "Maximum" },
        ],
      ]),
      widget(8, "Sends held (1 = the number or its registration cannot send)", region, [
        [args.runtimeMetricsNamespace, LOG_METRICS.sendsHeld.name, { stat: "Maximum", period: 60 }],
      ]),
      widget(9, "Sends: outcome unknown, re-queued after a carrier failure", region, [
        [args.runtimeMetricsNamespace, LOG_METRICS.sendOutcomeUnknown.name, { stat: "Sum" }],
        [".", LOG_METRICS.carrierRetryQueued.name, { stat: "Sum" }],
      ]),
    ],
  });
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
