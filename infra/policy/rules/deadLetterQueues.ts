/** Dead-letter queues on every delivery path (SNS subscriptions and EventBridge targets). */
import type { PolicyResource } from "@pulumi/policy";
import { stackPolicy, type HipaaPolicy, str, type Props } from "../policyKit";

export const deadLetterQueuePolicies: HipaaPolicy[] = [
  stackPolicy({
    name: "deliveries-have-dead-letter-queues",
    control: "S3",
    sources: ["AwsSolutions-SQS3", "EventBridge rule-dlq docs"],
    description:
      "Every HTTPS subscription and every EventBridge target has a DLQ that exists in the stack",
    enforcementLevel: "mandatory",
    remediation:
      "give subscriptions a redrivePolicy and targets a deadLetterConfig pointing at a DeadLetterQueue",
    check: (resources) => {
      const queues = resources.filter((r) => r.type === "aws:sqs/queue:Queue");
      const queueArns = new Set(queues.map((q) => q.props.arn).filter(Boolean));
      const known = (arn: unknown, r: PolicyResource, prop: string) =>
        queueArns.has(arn) ||
        queues.some((q) => r.propertyDependencies?.[prop]?.some((d) => d.urn === q.urn));
      const out: { message: string; urn: string }[] = [];
      for (const r of resources) {
        if (
          r.type === "aws:sns/topicSubscription:TopicSubscription" &&
          ["https", "http"].includes(str(r.props.protocol))
        ) {
          let dlq: unknown;
          try {
            dlq = (JSON.parse(str(r.props.redrivePolicy) || "{}") as Props).deadLetterTargetArn;
          } catch {
            dlq = undefined;
          }
          if (!dlq || !known(dlq, r, "redrivePolicy"))
            out.push({ message: `subscription ${r.name} has no DLQ in this stack`, urn: r.urn });
        }
        if (r.type === "aws:cloudwatch/eventTarget:EventTarget") {
          const dlq = (r.props.deadLetterConfig as Props | undefined)?.arn;
          if (!dlq || !known(dlq, r, "deadLetterConfig"))
            out.push({ message: `event target ${r.name} has no DLQ in this stack`, urn: r.urn });
        }
      }
      return out;
    },
  }),
];
