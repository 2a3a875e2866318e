/** SQS dead-letter queues and their policies. */
import {
  asList,
  deniesInsecureTransport,
  principals,
  resourcePolicy,
  statements,
  type HipaaPolicy,
  str,
} from "../policyKit";

export const sqsPolicies: HipaaPolicy[] = [
  resourcePolicy({
    name: "sqs-queue-encrypted-with-cmk",
    control: "Q1",
    sources: ["AwsSolutions-SQS2", "CKV_AWS_27", "CKV2_AWS_73"],
    description: "SQS queues are encrypted with a customer-managed key",
    enforcementLevel: "mandatory",
    remediation: "set kmsMasterKeyId to the messaging key (DeadLetterQueue component)",
    types: ["aws:sqs/queue:Queue"],
    check: (p) =>
      str(p.kmsMasterKeyId) && !str(p.kmsMasterKeyId).endsWith("alias/aws/sqs")
        ? []
        : ["the queue is not encrypted with a CMK"],
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
];
