/**
 * The control catalogue the policies cite, as data: docs/hipaa-controls.md is its readable form
 * (tests/policy/controlCatalogue.test.ts keeps the two equal). A control is enforced by the
 * policies that name it (rules/*.ts) and, where a resource setting cannot show it, by the runtime
 * or stack tests named here.
 */

/** A HIPAA Security Rule standard (45 CFR Part 164 Subpart C) this stack touches. */
export interface HipaaStandard {
  cfr: string;
  name: string;
  /** The paragraph that holds the standard and its implementation specifications. */
  paragraph: string;
}

export const HIPAA_STANDARDS: HipaaStandard[] = [
  {
    cfr: "164.308(a)(1)(ii)(D)",
    name: "Information system activity review",
    paragraph: "164.308(a)(1)(ii)(D)",
  },
  { cfr: "164.308(a)(4)", name: "Information access management", paragraph: "164.308(a)(4)" },
  { cfr: "164.308(a)(6)", name: "Security incident procedures", paragraph: "164.308(a)(6)" },
  { cfr: "164.308(a)(7)", name: "Contingency plan", paragraph: "164.308(a)(7)" },
  { cfr: "164.312(a)(1)", name: "Access control", paragraph: "164.312(a)" },
  { cfr: "164.312(b)", name: "Audit controls", paragraph: "164.312(b)" },
  { cfr: "164.312(c)(1)", name: "Integrity", paragraph: "164.312(c)" },
  { cfr: "164.312(d)", name: "Person or entity authentication", paragraph: "164.312(d)" },
  { cfr: "164.312(e)(1)", name: "Transmission security", paragraph: "164.312(e)" },
];

/** A test, outside the policy pack, that shows a control holds. */
export interface RuntimeEvidence {
  /** Repository path of the test file. */
  file: string;
  /** The test's name as written in the file (`it(...)`), so an auditor can find and run it. */
  test: string;
}

export interface Control {
  id: string;
  area: string;
  title: string;
  /** 45 CFR citations: the standard and, where one fits, the implementation specification. */
  cfr: string[];
  /** Tests beyond the policy pack that enforce it. */
  runtimeTests: RuntimeEvidence[];
}

const STACK_CONTROLS = "tests/infra/stackControls.ts";
const OUTBOUND_QUEUE_TEST =
  "Q1/Q2/E3: the outbound queue is CMK-encrypted, TLS-only and redriven; Scheduler and the task reach it and nothing else";

export const CONTROLS: Control[] = [
  {
    id: "K1",
    area: "KMS",
    title:
      "Customer-managed keys rotate, are described and never bypass the policy lockout safety check",
    cfr: ["164.312(a)(2)(iv)", "164.312(e)(2)(ii)"],
    runtimeTests: [],
  },
  {
    id: "K2",
    area: "KMS",
    title: "Key policies are explicit, name no '*' principal and condition every service principal",
    cfr: ["164.312(a)(1)", "164.308(a)(4)(ii)(B)"],
    runtimeTests: [],
  },
  {
    id: "S1",
    area: "SNS",
    title: "Topics are standard topics encrypted with a customer-managed key",
    cfr: ["164.312(a)(2)(iv)", "164.312(e)(2)(ii)"],
    runtimeTests: [],
  },
  {
    id: "S2",
    area: "SNS",
    title:
      "Topic policies deny non-TLS access and let services publish only for this account and source",
    cfr: ["164.312(a)(1)", "164.312(e)(1)"],
    runtimeTests: [],
  },
  {
    id: "S3",
    area: "SNS",
    title:
      "HTTPS subscriptions deliver signed (SignatureVersion 2) messages, verified by the webhook, with a redrive DLQ",
    cfr: ["164.312(c)(1)", "164.312(c)(2)", "164.312(d)", "164.312(e)(2)(i)"],
    runtimeTests: [
      {
        file: "tests/unit/sns/verifySnsMessage.test.ts",
        test: "rejects a tampered message",
      },
    ],
  },
  {
    id: "Q1",
    area: "SQS",
    title: "Queues use a customer-managed key and TLS-only policies with no wildcard",
    cfr: ["164.312(a)(2)(iv)", "164.312(a)(1)", "164.312(e)(1)"],
    runtimeTests: [],
  },
  {
    id: "Q2",
    area: "SQS",
    title:
      "Every queue that is not a DLQ redrives to a DLQ in the stack after a bounded number of receives",
    cfr: ["164.312(c)(1)", "164.312(e)(1)", "164.308(a)(7)(ii)(B)"],
    runtimeTests: [{ file: STACK_CONTROLS, test: OUTBOUND_QUEUE_TEST }],
  },
  {
    id: "E1",
    area: "EventBridge",
    title: "The API destination connection's secret is encrypted with a customer-managed key",
    cfr: ["164.312(a)(2)(iv)", "164.312(d)"],
    runtimeTests: [],
  },
  {
    id: "E2",
    area: "EventBridge",
    title: "The rule target retries and has a DLQ; the API destination is HTTPS",
    cfr: ["164.312(e)(1)", "164.312(c)(1)"],
    runtimeTests: [],
  },
  {
    id: "E3",
    area: "EventBridge",
    title:
      "The role EventBridge Scheduler assumes trusts it only for this account and the stack's schedule group, and may only send to the outbound queue",
    cfr: ["164.312(a)(1)", "164.308(a)(4)(ii)(B)"],
    runtimeTests: [{ file: STACK_CONTROLS, test: OUTBOUND_QUEUE_TEST }],
  },
  {
    id: "A1",
    area: "Load balancer",
    title:
      "HTTPS listeners use an ACM certificate and a TLS 1.2+ policy; there is no port-80 listener (a plain-HTTP one could only redirect)",
    cfr: ["164.312(e)(1)", "164.312(e)(2)(ii)"],
    runtimeTests: [],
  },
  {
    id: "A2",
    area: "Load balancer",
    title:
      "The ALB drops invalid headers, mitigates desync, logs access and is deletion-protected in prod",
    cfr: ["164.312(e)(1)", "164.312(b)", "164.308(a)(7)(ii)(C)"],
    runtimeTests: [],
  },
  {
    id: "A3",
    area: "Load balancer",
    title:
      "Log buckets block public access, are versioned, encrypted by default, reachable only over TLS, and expire objects and incomplete uploads by a lifecycle rule",
    cfr: ["164.312(b)", "164.312(c)(1)", "164.312(a)(1)"],
    runtimeTests: [],
  },
  {
    id: "A4",
    area: "Load balancer",
    title: "The internet-facing ALB has a logged web ACL with a rate limit and AWS managed rules",
    cfr: ["164.308(a)(5)(ii)(B)", "164.312(b)", "164.312(e)(1)"],
    runtimeTests: [],
  },
  {
    id: "A5",
    area: "Load balancer",
    title: "Only 443 is open to the internet, on the ALB",
    cfr: ["164.312(a)(1)", "164.312(e)(1)"],
    runtimeTests: [],
  },
  {
    id: "F1",
    area: "ECS Fargate",
    title: "Tasks run in private subnets without public IPs",
    cfr: ["164.312(a)(1)", "164.312(e)(1)"],
    runtimeTests: [],
  },
  {
    id: "F2",
    area: "ECS Fargate",
    title:
      "Secrets reach containers from Secrets Manager, never as plain environment; containers are read-only, non-root, unprivileged; task and execution roles differ",
    cfr: ["164.312(a)(1)", "164.312(c)(1)", "164.308(a)(3)(i)"],
    runtimeTests: [],
  },
  {
    id: "F3",
    area: "ECS Fargate",
    title:
      "Containers log to KMS-encrypted log groups with retention (a year or more in prod); Container Insights on",
    cfr: ["164.312(b)", "164.308(a)(1)(ii)(D)"],
    runtimeTests: [],
  },
  {
    id: "F4",
    area: "ECS Fargate",
    title: "The image repository is immutable, scans on push and uses a customer-managed key",
    cfr: ["164.308(a)(5)(ii)(B)", "164.312(c)(1)", "164.312(a)(2)(iv)"],
    runtimeTests: [],
  },
  {
    id: "F5",
    area: "ECS Fargate",
    title:
      "Failed deployments roll back (circuit breaker), and the target group checks the service's health",
    cfr: ["164.308(a)(7)(ii)(C)"],
    runtimeTests: [
      {
        file: STACK_CONTROLS,
        test: "F2–F5: read-only, non-root task with secrets from Secrets Manager, separate roles, circuit breaker, Container Insights",
      },
    ],
  },
  {
    id: "I1",
    area: "IAM",
    title: "No '*' or 'service:*' action and no '*' resource where the action can be scoped",
    cfr: ["164.312(a)(1)", "164.308(a)(4)(ii)(B)", "164.308(a)(3)(i)"],
    runtimeTests: [],
  },
  {
    id: "I2",
    area: "IAM",
    title: "Roles carry customer-managed policies, never inline ones",
    cfr: ["164.312(a)(1)", "164.308(a)(4)(ii)(C)"],
    runtimeTests: [],
  },
  {
    id: "I3",
    area: "IAM",
    title: "Roles trust only service principals, each conditioned on this account",
    cfr: ["164.312(a)(1)", "164.308(a)(4)(ii)(B)"],
    runtimeTests: [],
  },
  {
    id: "W1",
    area: "CloudWatch alarms",
    title: "Every alarm notifies the alarm topic",
    cfr: ["164.312(b)", "164.308(a)(6)(ii)"],
    runtimeTests: [],
  },
  {
    id: "W2",
    area: "CloudWatch alarms",
    title:
      "The expected alarms exist: DLQ depth, ALB 5xx and unhealthy hosts, running tasks, EventBridge failures, SMS failures and spend, the outbound queue's oldest message, sends held and send outcomes unknown",
    cfr: ["164.308(a)(1)(ii)(D)", "164.308(a)(6)(ii)"],
    runtimeTests: [
      {
        file: STACK_CONTROLS,
        test: "W1/W2: every alarm notifies the alarm topic, and the expected alarms exist",
      },
    ],
  },
  {
    id: "M1",
    area: "Secrets Manager",
    title: "Secrets use a customer-managed key and rotate, or are a documented exception",
    cfr: ["164.312(a)(2)(iv)", "164.308(a)(4)(ii)(B)", "164.308(a)(5)(ii)(D)"],
    runtimeTests: [],
  },
  {
    id: "D1",
    area: "DynamoDB",
    title:
      "The conversation table uses a customer-managed key, point-in-time recovery, TTL and an AWS Backup plan; deletion-protected in prod",
    cfr: ["164.308(a)(7)(ii)(A)", "164.308(a)(7)(ii)(B)", "164.312(a)(2)(iv)", "164.312(c)(1)"],
    runtimeTests: [],
  },
  {
    id: "V1",
    area: "VPC",
    title: "VPCs have flow logs; the default security group allows nothing",
    cfr: ["164.312(b)", "164.312(e)(1)"],
    runtimeTests: [],
  },
  {
    id: "V2",
    area: "CloudTrail",
    title:
      "Trails are multi-region, KMS-encrypted, validated and sent to CloudWatch Logs; the trail bucket is access-logged and, in prod, replicated to a second region under a CMK",
    cfr: ["164.312(b)", "164.312(c)(2)", "164.308(a)(1)(ii)(D)", "164.308(a)(7)(ii)(A)"],
    runtimeTests: [],
  },
  {
    id: "U1",
    area: "End User Messaging",
    title:
      "Numbers deliver replies to the encrypted topic, keep an explicit opt-out list and are deletion-protected in prod",
    cfr: ["164.308(a)(7)(ii)(C)", "164.312(e)(1)"],
    runtimeTests: [],
  },
  {
    id: "U2",
    area: "End User Messaging",
    title: "Phone numbers and message bodies (PHI) never reach logs, errors or metric labels",
    cfr: ["164.306(a)(1)", "164.312(b)"],
    runtimeTests: [
      {
        file: "tests/http/phiLogging.test.ts",
        test: "logs a whole conversation, its failures and hostile input without a number or a body",
      },
    ],
  },
  {
    id: "R1",
    area: "Runtime",
    title:
      "Every read and write of a conversation (PHI) is an audit event, by opaque ids only, to the audit log group",
    cfr: ["164.312(b)", "164.308(a)(1)(ii)(D)"],
    runtimeTests: [
      {
        file: "tests/http/agentApi.test.ts",
        test: "audits every read of a conversation, by opaque ids only",
      },
      {
        file: "tests/store/cloudWatchAuditLog.test.ts",
        test: "writes audit events, in order, to the audit log group",
      },
    ],
  },
];

export const controlById = (id: string): Control | undefined => CONTROLS.find((c) => c.id === id);

/** The controls that serve a standard: those citing it or one of its implementation specifications. */
export const controlsServing = (standard: HipaaStandard): Control[] =>
  CONTROLS.filter((c) => c.cfr.some((cite) => cite.startsWith(standard.paragraph)));
