/** What the stack logs: CloudWatch log groups and VPC flow logs. */
import {
  isProd,
  refersTo,
  resourcePolicy,
  stackPolicy,
  type HipaaPolicy,
  type PeerRuleNote,
  str,
} from "../policyKit";

export const loggingPolicies: HipaaPolicy[] = [
  resourcePolicy({
    name: "log-group-encrypted-with-retention",
    control: "F3",
    sources: [
      "HIPAA.Security-CloudWatchLogGroupEncrypted",
      "HIPAA.Security-CloudWatchLogGroupRetentionPeriod",
      "CKV_AWS_158",
      "CKV_AWS_66",
    ],
    description: "Log groups are encrypted with a customer-managed key and have a retention period",
    enforcementLevel: "mandatory",
    remediation:
      "set kmsKeyId to the logs key and retentionInDays (config logRetentionDays, auditLogRetentionDays)",
    types: ["aws:cloudwatch/logGroup:LogGroup"],
    check: (p) => [
      ...(str(p.kmsKeyId) ? [] : ["the log group is not encrypted with a CMK"]),
      ...(typeof p.retentionInDays === "number" && p.retentionInDays > 0
        ? []
        : ["the log group keeps logs forever (no retention set)"]),
    ],
  }),
  resourcePolicy({
    name: "log-group-retention-at-least-a-year-in-prod",
    control: "F3",
    sources: ["CKV_AWS_338"],
    description: "Production log groups keep logs at least one year",
    enforcementLevel: "advisory",
    remediation: "set logRetentionDays to 365 or more in the prod stack",
    types: ["aws:cloudwatch/logGroup:LogGroup"],
    check: (p) =>
      isProd(p) && Number(p.retentionInDays ?? 0) < 365
        ? ["a production log group keeps logs under a year"]
        : [],
  }),
  stackPolicy({
    name: "vpc-flow-logs",
    control: "V1",
    sources: ["HIPAA.Security-VPCFlowLogsEnabled", "AwsSolutions-VPC7", "CKV2_AWS_11"],
    description: "Every VPC the stack uses has flow logs",
    enforcementLevel: "mandatory",
    remediation: "keep the Network component's FlowLog (it is added to an existing VPC too)",
    check: (resources) => {
      const flowLogs = resources.filter((r) => r.type === "aws:ec2/flowLog:FlowLog");
      const vpcs = resources.filter((r) => r.type === "aws:ec2/vpc:Vpc");
      const out = vpcs
        .filter((vpc) => !flowLogs.some((f) => refersTo(f, "vpcId", vpc)))
        .map((vpc) => ({ message: `VPC ${vpc.name} has no flow log`, urn: vpc.urn }));
      if (
        vpcs.length === 0 &&
        flowLogs.length === 0 &&
        resources.some((r) => r.type === "aws:ecs/service:Service")
      ) {
        out.push({
          message: "the existing VPC the service runs in has no flow log from this stack",
          urn: "",
        });
      }
      return out;
    },
  }),
];

/** Nothing to say yet: every logging rule of the peers is a source of a policy above. */
export const loggingNotes: PeerRuleNote[] = [];
