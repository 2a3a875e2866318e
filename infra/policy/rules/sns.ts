/** SNS topics, their policies and the webhook subscription. */
import {
  deniesInsecureTransport,
  principals,
  resourcePolicy,
  statements,
  type HipaaPolicy,
  str,
} from "../policyKit";

export const snsPolicies: HipaaPolicy[] = [
  resourcePolicy({
    name: "sns-topic-encrypted-with-cmk",
    control: "S1",
    sources: ["HIPAA.Security-SNSEncryptedKMS", "CKV_AWS_26"],
    description:
      "SNS topics are encrypted with a customer-managed key (not alias/aws/sns) and are standard topics",
    enforcementLevel: "mandatory",
    remediation:
      "set kmsMasterKeyId to the stack's messaging key (Messaging component); keep fifoTopic false",
    types: ["aws:sns/topic:Topic"],
    check: (p) => [
      ...(str(p.kmsMasterKeyId) === "" ? ["the topic is not encrypted"] : []),
      ...(str(p.kmsMasterKeyId).endsWith("alias/aws/sns")
        ? ["the topic uses the AWS-managed key, which sms-voice cannot use"]
        : []),
    ],
  }),
  resourcePolicy({
    name: "sns-topic-sha256-signatures",
    control: "S3",
    sources: ["AWS SNS sns-verify-signature-of-message (SignatureVersion 2)"],
    description: "SNS topics sign HTTPS deliveries with SHA256 (SignatureVersion 2)",
    enforcementLevel: "advisory",
    remediation: "set signatureVersion: 2 on the topic (secureDefaults.snsSignatureVersion)",
    types: ["aws:sns/topic:Topic"],
    check: (p) =>
      Number(p.signatureVersion) === 2 ? [] : ["the topic signs with SHA1 (SignatureVersion 1)"],
  }),
  resourcePolicy({
    name: "sns-topic-policy-restricted",
    control: "S2",
    sources: ["AwsSolutions-SNS3", "CKV_AWS_169", "CKV_AWS_385"],
    description: "Topic policies deny non-TLS access and let no one publish unconditionally",
    enforcementLevel: "mandatory",
    remediation:
      "keep the DenyInsecureTransport statement and the aws:SourceAccount/aws:SourceArn conditions (Messaging, Monitoring)",
    types: ["aws:sns/topicPolicy:TopicPolicy"],
    check: (p) => {
      const list = statements(p.policy);
      return [
        ...(deniesInsecureTransport(list)
          ? []
          : ["the topic policy does not deny aws:SecureTransport=false"]),
        ...list
          .filter((s) => s.Effect !== "Deny")
          .flatMap((s) => {
            const who = principals(s);
            if (who.wildcard) return [`statement ${s.Sid ?? ""} lets anyone act on the topic`];
            if (who.services.length > 0 && !s.Condition?.StringEquals?.["aws:SourceAccount"]) {
              return [
                `statement ${s.Sid ?? ""} lets ${who.services.join(", ")} publish without aws:SourceAccount`,
              ];
            }
            return [];
          }),
      ];
    },
  }),
  resourcePolicy({
    name: "sns-subscription-https-signed-with-dlq",
    control: "S3",
    sources: ["AwsSolutions-SQS3", "AWS SNS delivery docs"],
    description:
      "Subscriptions use HTTPS (never HTTP), signed (not raw) deliveries, and a redrive DLQ",
    enforcementLevel: "mandatory",
    remediation:
      "subscribe https://<domainName>/sms/webhook with rawMessageDelivery: false and a redrivePolicy (WebhookSubscription)",
    types: ["aws:sns/topicSubscription:TopicSubscription"],
    check: (p) => {
      const protocol = str(p.protocol);
      if (protocol === "http") return ["the subscription delivers PHI over plain HTTP"];
      if (protocol !== "https") return [];
      return [
        ...(p.rawMessageDelivery === true
          ? ["raw delivery drops the signature the webhook verifies"]
          : []),
        ...(str(p.redrivePolicy).includes("deadLetterTargetArn")
          ? []
          : ["the subscription has no redrive DLQ"]),
      ];
    },
  }),
];
