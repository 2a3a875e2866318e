/** EventBridge: the API destination, its connection and the rule target. */
import { resourcePolicy, type HipaaPolicy, str, type Props } from "../policyKit";

export const eventBridgePolicies: HipaaPolicy[] = [
  resourcePolicy({
    name: "eventbridge-connection-cmk",
    control: "E1",
    sources: ["HIPAA.Security-SecretsManagerUsingKMSKey", "CKV_AWS_149"],
    description: "The API destination connection's secret is encrypted with a customer-managed key",
    enforcementLevel: "mandatory",
    remediation:
      "set kmsKeyIdentifier to the messaging key, which carries the EventBridgeApiDestinations=true tag (EventRouting)",
    types: ["aws:cloudwatch/eventConnection:EventConnection"],
    check: (p) => (str(p.kmsKeyIdentifier) ? [] : ["the connection secret uses an AWS-owned key"]),
  }),
  resourcePolicy({
    name: "eventbridge-target-retry-and-dlq",
    control: "E2",
    sources: ["AwsSolutions-EVB1", "EventBridge rule-dlq docs"],
    description: "EventBridge targets have a retry policy and a dead-letter queue",
    enforcementLevel: "mandatory",
    remediation: "give the target retryPolicy and deadLetterConfig (EventRouting)",
    types: ["aws:cloudwatch/eventTarget:EventTarget"],
    check: (p) => [
      ...(p.retryPolicy ? [] : ["the target has no retry policy"]),
      ...(str((p.deadLetterConfig as Props | undefined)?.arn)
        ? []
        : ["the target has no dead-letter queue: exhausted events are dropped"]),
    ],
  }),
  resourcePolicy({
    name: "eventbridge-api-destination-https",
    control: "E2",
    sources: ["EventBridge eb-api-destinations docs"],
    description: "API destinations call HTTPS endpoints",
    enforcementLevel: "mandatory",
    remediation: "use https://<domainName>/sms/webhook as invocationEndpoint",
    types: ["aws:cloudwatch/eventApiDestination:EventApiDestination"],
    check: (p) =>
      str(p.invocationEndpoint).startsWith("https://") ? [] : ["the API destination is not HTTPS"],
  }),
];
