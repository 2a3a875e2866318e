/** SQS queues (the delivery DLQs and the outbound send queue) and their policies. */
import type { PolicyResource } from "@pulumi/policy";
import {
  asList,
  deniesInsecureTransport,
  principals,
  resourcePolicy,
  stackPolicy,
  statements,
  type HipaaPolicy,
  type Props,
  str,
} from "../policyKit";

const QUEUE = "aws:sqs/queue:Queue";

/** The dead-letter target a redrive policy (a JSON string or an object) names, if any. */
function redriveTarget(policy: unknown): unknown {
  if (typeof policy === "object" && policy !== null) return (policy as Props).deadLetterTargetArn;
  try {
    return (JSON.parse(str(policy) || "{}") as Props).deadLetterTargetArn;
  } catch {
    return undefined;
  }
}

/**
 * Where each queue is used as a dead-letter queue: named by a queue's or a subscription's redrive
 * policy or an EventBridge target's DLQ, by value (an up) or by dependency (a preview).
 */
function deadLetterQueues(resources: PolicyResource[]): Set<string> {
  const queues = resources.filter((r) => r.type === QUEUE);
  const targets: { from: PolicyResource; prop: string; value: unknown }[] = [];
  for (const r of resources) {
    if (r.type === QUEUE || r.type === "aws:sns/topicSubscription:TopicSubscription")
      targets.push({ from: r, prop: "redrivePolicy", value: redriveTarget(r.props.redrivePolicy) });
    if (r.type === "aws:cloudwatch/eventTarget:EventTarget")
      targets.push({
        from: r,
        prop: "deadLetterConfig",
        value: (r.props.deadLetterConfig as Props | undefined)?.arn,
      });
  }
  return new Set(
    queues
      .filter((q) =>
        targets.some(
          (t) =>
            t.from.urn !== q.urn &&
            ((q.props.arn !== undefined && t.value === q.props.arn) ||
              t.from.propertyDependencies?.[t.prop]?.some((d) => d.urn === q.urn)),
        ),
      )
      .map((q) => q.urn),
  );
}

/** Whether a queue policy's `queueUrl` is this queue's (its URL is also its id). */
const policyOf = (policy: PolicyResource, queue: PolicyResource) =>
  policy.propertyDependencies?.queueUrl?.some((d) => d.urn === queue.urn) ||
  [queue.props.url, queue.props.id].some(
    (v) => typeof v === "string" && v === policy.props.queueUrl,
  );

export const sqsPolicies: HipaaPolicy[] = [
  resourcePolicy({
    name: "sqs-queue-encrypted-with-cmk",
    control: "Q1",
    sources: ["AwsSolutions-SQS2", "CKV_AWS_27", "CKV2_AWS_73"],
    description:
      "SQS queues are encrypted with a customer-managed key, not alias/aws/sqs or SQS-managed SSE",
    enforcementLevel: "mandatory",
    remediation:
      "set kmsMasterKeyId to the messaging key and leave sqsManagedSseEnabled unset (DeadLetterQueue and SendQueue components)",
    types: [QUEUE],
    check: (p) => [
      ...(str(p.kmsMasterKeyId) && !str(p.kmsMasterKeyId).endsWith("alias/aws/sqs")
        ? []
        : ["the queue is not encrypted with a CMK"]),
      ...(p.sqsManagedSseEnabled === true
        ? ["the queue uses SQS-managed SSE, whose key no key policy of ours governs"]
        : []),
    ],
  }),
  resourcePolicy({
    name: "sqs-queue-policy-restricted",
    control: "Q1",
    sources: ["AwsSolutions-SQS4", "CKV_AWS_168", "CKV_AWS_72", "CKV_AWS_387"],
    description: "Queue policies deny non-TLS access and grant no wildcard principal or action",
    enforcementLevel: "mandatory",
    remediation:
      "keep the DeadLetterQueue component's policy: TLS-only, one service, one aws:SourceArn",
    types: ["aws:sqs/queuePolicy:QueuePolicy"],
    check: (p) => {
      const list = statements(p.policy);
      return [
        ...(deniesInsecureTransport(list)
          ? []
          : ["the queue policy does not deny aws:SecureTransport=false"]),
        ...list
          .filter((s) => s.Effect !== "Deny")
          .flatMap((s) => [
            ...(principals(s).wildcard ? [`statement ${s.Sid ?? ""} allows any principal`] : []),
            ...(asList(s.Action).some((a) => a === "*" || a === "sqs:*")
              ? [`statement ${s.Sid ?? ""} allows every SQS action`]
              : []),
          ]),
      ];
    },
  }),
  stackPolicy({
    name: "sqs-queues-tls-only",
    control: "Q1",
    sources: ["AwsSolutions-SQS4"],
    description: "Every queue has a queue policy (which must deny non-TLS access)",
    enforcementLevel: "mandatory",
    remediation:
      "give the queue an aws.sqs.QueuePolicy with denyInsecureTransport (SendQueue component)",
    check: (resources) => {
      const policies = resources.filter((r) => r.type === "aws:sqs/queuePolicy:QueuePolicy");
      return resources
        .filter((q) => q.type === QUEUE && !policies.some((p) => policyOf(p, q)))
        .map((q) => ({ message: `queue ${q.name} has no queue policy`, urn: q.urn }));
    },
  }),
  stackPolicy({
    name: "sqs-queues-redrive-to-dlq",
    control: "Q2",
    sources: ["AwsSolutions-SQS3"],
    description:
      "Every queue that is not itself a dead-letter queue redrives to a DLQ in the stack after a bounded number of receives",
    enforcementLevel: "mandatory",
    remediation:
      "give the queue a redrivePolicy {deadLetterTargetArn, maxReceiveCount} naming its own encrypted DLQ (SendQueue component)",
    check: (resources) => {
      const queues = resources.filter((r) => r.type === QUEUE);
      const dlqs = deadLetterQueues(resources);
      const out: { message: string; urn: string }[] = [];
      for (const q of queues.filter((x) => !dlqs.has(x.urn))) {
        const target = redriveTarget(q.props.redrivePolicy);
        const inStack =
          q.propertyDependencies?.redrivePolicy?.some((d) => dlqs.has(d.urn)) ||
          queues.some(
            (d) => d.urn !== q.urn && d.props.arn !== undefined && d.props.arn === target,
          );
        if (!target || !inStack) {
          out.push({
            message: `queue ${q.name} has no dead-letter queue in this stack`,
            urn: q.urn,
          });
          continue;
        }
        let count: unknown;
        try {
          const policy = q.props.redrivePolicy;
          count = (typeof policy === "string" ? (JSON.parse(policy) as Props) : (policy as Props))
            .maxReceiveCount;
        } catch {
          count = undefined;
        }
        if (typeof count !== "number" || !Number.isInteger(count) || count < 1)
          out.push({ message: `queue ${q.name} redrives with no maxReceiveCount`, urn: q.urn });
      }
      return out;
    },
  }),
];
