import { hipaaPolicies } from "../../infra/policy/hipaaPolicies";
import { runPolicies, type ReviewedResource } from "../../infra/review/runPolicies";

const deny = {
  Effect: "Deny",
  Principal: "*",
  Action: ["*"],
  Resource: ["*"],
  Condition: { Bool: { "aws:SecureTransport": "false" } },
};
const doc = (...Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });
const svc = (service: string, condition?: object) => ({
  Effect: "Allow",
  Principal: { Service: service },
  Action: ["x:Y"],
  Resource: ["*"],
  ...(condition ? { Condition: condition } : {}),
});
const srcAccount = { StringEquals: { "aws:SourceAccount": "123456789012" } };
const container = (over: object = {}) =>
  JSON.stringify([
    {
      name: "runtime",
      readonlyRootFilesystem: true,
      user: "1000:1000",
      privileged: false,
      logConfiguration: { logDriver: "awslogs" },
      environment: [{ name: "PORT", value: "1" }],
      ...over,
    },
  ]);

type Case = { pass: ReviewedResource[]; fail: ReviewedResource[]; message: RegExp };
const r = (type: string, props: Record<string, unknown>, name = "r"): ReviewedResource => ({
  type,
  name,
  props,
});
const one = (
  type: string,
  good: Record<string, unknown>,
  bad: Record<string, unknown>,
  message: RegExp,
): Case => ({
  pass: [r(type, good)],
  fail: [r(type, bad)],
  message,
});

const KEY = "aws:kms/key:Key";
const goodKey = {
  enableKeyRotation: true,
  description: "messaging",
  policy: doc(svc("sns.amazonaws.com", srcAccount)),
};

const cases: Record<string, Case> = {
  "kms-key-rotation-and-description": one(
    KEY,
    goodKey,
    { ...goodKey, enableKeyRotation: false },
    /key rotation is off/,
  ),
  "kms-key-policy-scoped": one(
    KEY,
    goodKey,
    { ...goodKey, policy: doc(svc("sns.amazonaws.com")) },
    /grants sns.amazonaws.com without a condition/,
  ),
  "sns-topic-encrypted-with-cmk": one(
    "aws:sns/topic:Topic",
    { kmsMasterKeyId: "arn:aws:kms:k" },
    { kmsMasterKeyId: "alias/aws/sns" },
    /AWS-managed key/,
  ),
  "sns-topic-sha256-signatures": one("aws:sns/topic:Topic", { signatureVersion: 2 }, {}, /SHA1/),
  "sns-topic-policy-restricted": one(
    "aws:sns/topicPolicy:TopicPolicy",
    { policy: doc(svc("sms-voice.amazonaws.com", srcAccount), deny) },
    { policy: doc(svc("sms-voice.amazonaws.com"), deny) },
    /without aws:SourceAccount/,
  ),
  "sns-subscription-https-signed-with-dlq": one(
    "aws:sns/topicSubscription:TopicSubscription",
    { protocol: "https", redrivePolicy: '{"deadLetterTargetArn":"arn:q"}' },
    {
      protocol: "https",
      rawMessageDelivery: true,
      redrivePolicy: '{"deadLetterTargetArn":"arn:q"}',
    },
    /raw delivery drops the signature/,
  ),
  "sqs-queue-encrypted-with-cmk": one(
    "aws:sqs/queue:Queue",
    { kmsMasterKeyId: "arn:aws:kms:k" },
    { sqsManagedSseEnabled: true },
    /not encrypted with a CMK/,
  ),
  "sqs-queue-policy-restricted": one(
    "aws:sqs/queuePolicy:QueuePolicy",
    { policy: doc(deny, svc("sns.amazonaws.com", srcAccount)) },
    { policy: doc(svc("sns.amazonaws.com", srcAccount)) },
    /does not deny aws:SecureTransport/,
  ),
  "sqs-queues-tls-only": {
    pass: [
      r("aws:sqs/queue:Queue", { arn: "arn:q", url: "https://sqs/q" }, "q"),
      r("aws:sqs/queuePolicy:QueuePolicy", { queueUrl: "https://sqs/q", policy: doc(deny) }),
    ],
    fail: [
      r("aws:sqs/queue:Queue", { arn: "arn:q", url: "https://sqs/q" }, "q"),
      r("aws:sqs/queue:Queue", { arn: "arn:other", url: "https://sqs/other" }, "other"),
      r("aws:sqs/queuePolicy:QueuePolicy", { queueUrl: "https://sqs/q", policy: doc(deny) }),
    ],
    message: /queue other has no queue policy/,
  },
  "sqs-queues-redrive-to-dlq": {
    pass: [
      r("aws:sqs/queue:Queue", { arn: "arn:dlq" }, "sends-dlq"),
      r(
        "aws:sqs/queue:Queue",
        { arn: "arn:q", redrivePolicy: '{"deadLetterTargetArn":"arn:dlq","maxReceiveCount":5}' },
        "sends",
      ),
      // A DLQ of a delivery path is a DLQ too, and needs no redrive of its own.
      r("aws:sqs/queue:Queue", { arn: "arn:events-dlq" }, "events-dlq"),
      r("aws:cloudwatch/eventTarget:EventTarget", { deadLetterConfig: { arn: "arn:events-dlq" } }),
    ],
    fail: [
      r("aws:sqs/queue:Queue", { arn: "arn:dlq" }, "sends-dlq"),
      r(
        "aws:sqs/queue:Queue",
        { arn: "arn:q", redrivePolicy: '{"deadLetterTargetArn":"arn:dlq","maxReceiveCount":5}' },
        "sends",
      ),
      r("aws:sqs/queue:Queue", { arn: "arn:work" }, "work"),
    ],
    message: /queue work has no dead-letter queue in this stack/,
  },
  "scheduler-role-trust-scoped": one(
    "aws:iam/role:Role",
    {
      assumeRolePolicy: doc({
        ...svc("scheduler.amazonaws.com"),
        Action: "sts:AssumeRole",
        Condition: {
          StringEquals: { "aws:SourceAccount": "123456789012" },
          ArnLike: {
            "aws:SourceArn": [
              "arn:aws:scheduler:us-east-1:123456789012:schedule-group/eum-sms-prod-sends",
              "arn:aws:scheduler:us-east-1:123456789012:schedule/eum-sms-prod-sends/*",
            ],
          },
        },
      }),
    },
    {
      assumeRolePolicy: doc({
        ...svc("scheduler.amazonaws.com", srcAccount),
        Action: "sts:AssumeRole",
      }),
    },
    /may assume the role for any schedule \(no aws:SourceArn\)/,
  ),
  "eventbridge-connection-cmk": one(
    "aws:cloudwatch/eventConnection:EventConnection",
    { kmsKeyIdentifier: "arn:aws:kms:k" },
    {},
    /AWS-owned key/,
  ),
  "eventbridge-target-retry-and-dlq": one(
    "aws:cloudwatch/eventTarget:EventTarget",
    { retryPolicy: {}, deadLetterConfig: { arn: "arn:q" } },
    { retryPolicy: {} },
    /no dead-letter queue/,
  ),
  "eventbridge-api-destination-https": one(
    "aws:cloudwatch/eventApiDestination:EventApiDestination",
    { invocationEndpoint: "https://x/sms/webhook" },
    { invocationEndpoint: "http://x/sms/webhook" },
    /not HTTPS/,
  ),
  "alb-listener-tls-or-redirect": one(
    "aws:lb/listener:Listener",
    {
      protocol: "HTTPS",
      sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
      certificateArn: "arn:aws:acm:us-east-1:1:certificate/x",
    },
    { protocol: "HTTP", defaultActions: [{ type: "forward", targetGroupArn: "tg" }] },
    /does more than redirect/,
  ),
  "alb-hardened": one(
    "aws:lb/loadBalancer:LoadBalancer",
    {
      dropInvalidHeaderFields: true,
      desyncMitigationMode: "strictest",
      accessLogs: { enabled: true },
    },
    {
      desyncMitigationMode: "monitor",
      accessLogs: { enabled: true },
      dropInvalidHeaderFields: true,
    },
    /monitor-only/,
  ),
  "alb-deletion-protection-in-prod": one(
    "aws:lb/loadBalancer:LoadBalancer",
    { tags: { Environment: "prod" }, enableDeletionProtection: true },
    { tags: { Environment: "prod" } },
    /can be deleted/,
  ),
  "waf-rate-limit-and-managed-rules": one(
    "aws:wafv2/webAcl:WebAcl",
    {
      rules: [
        { statement: { rateBasedStatement: {} } },
        { statement: { managedRuleGroupStatement: {} } },
      ],
    },
    { rules: [{ statement: { managedRuleGroupStatement: {} } }] },
    /no rate-based rule/,
  ),
  "security-group-ingress-restricted": one(
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    { cidrIpv4: "0.0.0.0/0", fromPort: 443, toPort: 443 },
    { cidrIpv4: "0.0.0.0/0", fromPort: 22, toPort: 22 },
    /ports 22-22 are open/,
  ),
  "ecs-task-hardened": one(
    "aws:ecs/taskDefinition:TaskDefinition",
    { containerDefinitions: container(), taskRoleArn: "a", executionRoleArn: "b" },
    { containerDefinitions: container({ environment: [{ name: "AGENT_API_TOKEN", value: "x" }] }) },
    /AGENT_API_TOKEN is plain environment/,
  ),
  "ecs-service-private-with-rollback": one(
    "aws:ecs/service:Service",
    {
      networkConfiguration: { assignPublicIp: false },
      deploymentCircuitBreaker: { enable: true, rollback: true },
    },
    {
      networkConfiguration: { assignPublicIp: true },
      deploymentCircuitBreaker: { enable: true, rollback: true },
    },
    /public IPs/,
  ),
  "ecs-cluster-container-insights": one(
    "aws:ecs/cluster:Cluster",
    { settings: [{ name: "containerInsights", value: "enabled" }] },
    { settings: [] },
    /Container Insights is off/,
  ),
  "log-group-encrypted-with-retention": one(
    "aws:cloudwatch/logGroup:LogGroup",
    { kmsKeyId: "arn:k", retentionInDays: 7 },
    { kmsKeyId: "arn:k" },
    /keeps logs forever/,
  ),
  "log-group-retention-at-least-a-year-in-prod": one(
    "aws:cloudwatch/logGroup:LogGroup",
    { tags: { Environment: "prod" }, retentionInDays: 365 },
    { tags: { Environment: "prod" }, retentionInDays: 30 },
    /under a year/,
  ),
  "iam-policy-least-privilege": one(
    "aws:iam/policy:Policy",
    {
      policy: doc(
        { Effect: "Allow", Action: ["ecr:GetAuthorizationToken"], Resource: "*" },
        { Effect: "Allow", Action: ["sqs:SendMessage"], Resource: ["arn:q"] },
      ),
    },
    { policy: doc({ Effect: "Allow", Action: ["dynamodb:*"], Resource: ["arn:t"] }) },
    /allows dynamodb:\*/,
  ),
  "iam-no-inline-policies": one(
    "aws:iam/role:Role",
    { assumeRolePolicy: doc(svc("ecs-tasks.amazonaws.com", srcAccount)) },
    { inlinePolicies: [{ name: "x", policy: "{}" }] },
    /inline policy/,
  ),
  "iam-role-trust-conditioned": one(
    "aws:iam/role:Role",
    { assumeRolePolicy: doc(svc("ecs-tasks.amazonaws.com", srcAccount)) },
    { assumeRolePolicy: doc(svc("ecs-tasks.amazonaws.com")) },
    /from any account/,
  ),
  "secret-encrypted-with-cmk": one(
    "aws:secretsmanager/secret:Secret",
    { kmsKeyId: "arn:k" },
    {},
    /AWS-managed key/,
  ),
  "dynamodb-table-protected": one(
    "aws:dynamodb/table:Table",
    {
      serverSideEncryption: { enabled: true, kmsKeyArn: "arn:k" },
      pointInTimeRecovery: { enabled: true },
      ttl: { enabled: true },
    },
    {
      serverSideEncryption: { enabled: true, kmsKeyArn: "arn:k" },
      pointInTimeRecovery: { enabled: false },
      ttl: { enabled: true },
    },
    /point-in-time recovery is off/,
  ),
  "ecr-repository-secure": one(
    "aws:ecr/repository:Repository",
    {
      imageTagMutability: "IMMUTABLE",
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfigurations: [{ encryptionType: "KMS" }],
    },
    {
      imageTagMutability: "MUTABLE",
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfigurations: [{ encryptionType: "KMS" }],
    },
    /can be overwritten/,
  ),
  "cloudtrail-trail-secure": one(
    "aws:cloudtrail/trail:Trail",
    {
      isMultiRegionTrail: true,
      enableLogFileValidation: true,
      kmsKeyId: "k",
      cloudWatchLogsGroupArn: "g",
    },
    {
      isMultiRegionTrail: true,
      enableLogFileValidation: false,
      kmsKeyId: "k",
      cloudWatchLogsGroupArn: "g",
    },
    /validation is off/,
  ),
  "vpc-default-security-group-closed": one(
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    {},
    { ingress: [{ fromPort: 0 }] },
    /has rules/,
  ),
  "subnet-no-public-ip-on-launch": one(
    "aws:ec2/subnet:Subnet",
    { mapPublicIpOnLaunch: false },
    { mapPublicIpOnLaunch: true },
    /assigns public IPs/,
  ),
  "phone-number-two-way-and-opt-outs": one(
    "aws:pinpoint/smsvoicev2PhoneNumber:Smsvoicev2PhoneNumber",
    { twoWayChannelEnabled: true, twoWayChannelArn: "arn:t", optOutListName: "list" },
    { twoWayChannelEnabled: true, twoWayChannelArn: "arn:t" },
    /Default opt-out list/,
  ),
  "log-metric-filters-without-dimensions": {
    pass: [
      r("aws:cloudwatch/logMetricFilter:LogMetricFilter", {
        metricTransformation: {
          name: "SendsHeld",
          namespace: "eum-sms-dev/runtime",
          value: "$.value",
        },
      }),
    ],
    fail: [
      r("aws:cloudwatch/logMetricFilter:LogMetricFilter", {
        metricTransformation: {
          name: "SendOutcomeUnknown",
          namespace: "eum-sms-dev/runtime",
          value: "1",
          dimensions: { sendId: "$.sendId" },
        },
      }),
    ],
    message: /takes dimensions from log fields \(sendId\)/,
  },
  "every-alarm-has-an-action": {
    pass: [r("aws:cloudwatch/metricAlarm:MetricAlarm", { alarmActions: ["arn:t"] })],
    fail: [r("aws:cloudwatch/metricAlarm:MetricAlarm", { alarmActions: [] }, "quiet")],
    message: /alarm quiet has no action/,
  },
  "deliveries-have-dead-letter-queues": {
    pass: [
      r("aws:sqs/queue:Queue", { arn: "arn:q" }, "q"),
      r("aws:sns/topicSubscription:TopicSubscription", {
        protocol: "https",
        redrivePolicy: '{"deadLetterTargetArn":"arn:q"}',
      }),
      r("aws:cloudwatch/eventTarget:EventTarget", { deadLetterConfig: { arn: "arn:q" } }),
    ],
    fail: [
      r("aws:sqs/queue:Queue", { arn: "arn:q" }, "q"),
      r(
        "aws:cloudwatch/eventTarget:EventTarget",
        { deadLetterConfig: { arn: "arn:elsewhere" } },
        "t",
      ),
    ],
    message: /event target t has no DLQ/,
  },
  "alb-has-logged-web-acl": {
    pass: [
      r("aws:lb/loadBalancer:LoadBalancer", { arn: "arn:lb" }, "lb"),
      r("aws:wafv2/webAcl:WebAcl", { arn: "arn:acl" }, "acl"),
      r("aws:wafv2/webAclAssociation:WebAclAssociation", {
        resourceArn: "arn:lb",
        webAclArn: "arn:acl",
      }),
      r("aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration", {
        resourceArn: "arn:acl",
      }),
    ],
    fail: [
      r("aws:lb/loadBalancer:LoadBalancer", { arn: "arn:lb" }, "lb"),
      r("aws:wafv2/webAcl:WebAcl", { arn: "arn:acl" }, "acl"),
    ],
    message: /load balancer lb has no web ACL/,
  },
  "vpc-flow-logs": {
    pass: [
      r("aws:ec2/vpc:Vpc", { id: "vpc-1" }, "vpc"),
      r("aws:ec2/flowLog:FlowLog", { vpcId: "vpc-1" }),
    ],
    fail: [r("aws:ec2/vpc:Vpc", { id: "vpc-1" }, "vpc")],
    message: /VPC vpc has no flow log/,
  },
  "secrets-rotated": {
    pass: [
      r("aws:secretsmanager/secret:Secret", { arn: "arn:secret:s", id: "arn:secret:s" }, "s"),
      r("aws:secretsmanager/secretRotation:SecretRotation", { secretId: "arn:secret:s" }),
      r(
        "aws:secretsmanager/secret:Secret",
        { arn: "arn:secret:k", tags: { RotationExempt: "HMAC key" } },
        "k",
      ),
    ],
    fail: [r("aws:secretsmanager/secret:Secret", { arn: "arn:secret:s" }, "s")],
    message: /secret s never rotates/,
  },
  "dynamodb-in-backup-plan": {
    pass: [
      r("aws:dynamodb/table:Table", { arn: "arn:table:t" }, "t"),
      r("aws:backup/selection:Selection", { resources: ["arn:table:t"] }),
    ],
    fail: [r("aws:dynamodb/table:Table", { arn: "arn:table:t" }, "t")],
    message: /table t is in no backup plan/,
  },
  "buckets-locked-down": {
    pass: [
      r("aws:s3/bucket:Bucket", { id: "b" }, "b"),
      r("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", {
        bucket: "b",
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      }),
      r("aws:s3/bucketVersioning:BucketVersioning", {
        bucket: "b",
        versioningConfiguration: { status: "Enabled" },
      }),
      r("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", {
        bucket: "b",
      }),
      r("aws:s3/bucketPolicy:BucketPolicy", { bucket: "b", policy: doc(deny) }),
    ],
    fail: [r("aws:s3/bucket:Bucket", { id: "b" }, "b")],
    message: /bucket b does not block all public access/,
  },
  "buckets-lifecycle-abort-uploads": {
    pass: [
      r("aws:s3/bucket:Bucket", { id: "b" }, "b"),
      r("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", {
        bucket: "b",
        rules: [{ id: "expire", abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } }],
      }),
    ],
    fail: [
      r("aws:s3/bucket:Bucket", { id: "b" }, "b"),
      r("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", {
        bucket: "b",
        rules: [{ id: "expire", expiration: { days: 30 } }],
      }),
    ],
    message: /lifecycle rule expire of bucket b does not abort incomplete multipart uploads/,
  },
  "trail-bucket-logged-and-replicated": {
    pass: [
      r("aws:cloudtrail/trail:Trail", { s3BucketName: "t", tags: { Environment: "prod" } }),
      r("aws:s3/bucket:Bucket", { id: "t" }, "t"),
      r("aws:s3/bucketLogging:BucketLogging", { bucket: "t", targetBucket: "logs" }),
      r("aws:s3/bucketReplicationConfig:BucketReplicationConfig", {
        bucket: "t",
        rules: [
          {
            status: "Enabled",
            destination: { encryptionConfiguration: { replicaKmsKeyId: "arn:kms:west" } },
          },
        ],
      }),
    ],
    fail: [
      r("aws:cloudtrail/trail:Trail", { s3BucketName: "t", tags: { Environment: "prod" } }),
      r("aws:s3/bucket:Bucket", { id: "t" }, "t"),
      r("aws:s3/bucketLogging:BucketLogging", { bucket: "t", targetBucket: "logs" }),
    ],
    message: /production trail bucket t has no copy in a second region/,
  },
};

describe("HIPAA policies", () => {
  it("has a passing and a failing case for every policy, and each has id, controls, sources, level and remediation", () => {
    expect(Object.keys(cases).sort()).toEqual(hipaaPolicies.map((p) => p.name).sort());
    for (const p of hipaaPolicies) {
      expect(p.name).toMatch(/^[a-z0-9-]+$/);
      expect(p.info.control).toMatch(/^[A-Z]\d$/);
      expect(p.info.sources.length).toBeGreaterThan(0);
      expect(p.info.remediation.length).toBeGreaterThan(10);
      expect(["mandatory", "advisory"]).toContain(p.enforcementLevel);
      expect(p.description).toContain(`[${p.info.control}]`);
    }
  });

  it.each(Object.entries(cases))(
    "%s passes the good case and names the fix for the bad one",
    async (name, c) => {
      const policy = hipaaPolicies.filter((p) => p.name === name);
      const [pass] = await runPolicies(c.pass, policy);
      expect(pass?.violations).toEqual([]);
      const [fail] = await runPolicies(c.fail, policy);
      expect(fail?.violations.length).toBeGreaterThan(0);
      expect(fail?.violations[0]?.message).toMatch(c.message);
      expect(fail?.violations[0]?.message).toContain("Fix: ");
    },
  );

  it("ignores resources of other types", async () => {
    const results = await runPolicies([
      r("aws:sns/topic:Topic", { kmsMasterKeyId: "arn:k", signatureVersion: 2 }),
    ]);
    expect(results.flatMap((x) => x.violations)).toEqual([]);
  });
});

describe("issue 12 policies, the cases the table above does not show", () => {
  const run = async (name: string, resources: ReviewedResource[]) =>
    (
      await runPolicies(
        resources,
        hipaaPolicies.filter((p) => p.name === name),
      )
    ).flatMap((x) => x.violations.map((v) => v.message));

  it("a queue under SQS-managed SSE, or under alias/aws/sqs, is not CMK-encrypted", async () => {
    expect(
      await run("sqs-queue-encrypted-with-cmk", [
        r("aws:sqs/queue:Queue", { kmsMasterKeyId: "arn:aws:kms:k", sqsManagedSseEnabled: true }),
      ]),
    ).toEqual([expect.stringMatching(/uses SQS-managed SSE/)]);
    expect(
      await run("sqs-queue-encrypted-with-cmk", [
        r("aws:sqs/queue:Queue", { kmsMasterKeyId: "alias/aws/sqs" }),
      ]),
    ).toEqual([expect.stringMatching(/not encrypted with a CMK/)]);
  });

  it("a queue redriving to a queue outside the stack, or without maxReceiveCount, is a violation", async () => {
    expect(
      await run("sqs-queues-redrive-to-dlq", [
        r(
          "aws:sqs/queue:Queue",
          {
            arn: "arn:q",
            redrivePolicy: '{"deadLetterTargetArn":"arn:elsewhere","maxReceiveCount":5}',
          },
          "q",
        ),
      ]),
    ).toEqual([expect.stringMatching(/queue q has no dead-letter queue in this stack/)]);
    expect(
      await run("sqs-queues-redrive-to-dlq", [
        r("aws:sqs/queue:Queue", { arn: "arn:dlq" }, "dlq"),
        r(
          "aws:sqs/queue:Queue",
          { arn: "arn:q", redrivePolicy: '{"deadLetterTargetArn":"arn:dlq"}' },
          "q",
        ),
      ]),
    ).toEqual([expect.stringMatching(/queue q redrives with no maxReceiveCount/)]);
  });

  it("a Scheduler role trusted for every group, or without aws:SourceAccount, is a violation; other services' roles are left to I3", async () => {
    const trust = (condition: object, service = "scheduler.amazonaws.com") =>
      r("aws:iam/role:Role", {
        assumeRolePolicy: doc({ ...svc(service), Action: "sts:AssumeRole", Condition: condition }),
      });
    expect(
      await run("scheduler-role-trust-scoped", [
        trust({
          StringEquals: { "aws:SourceAccount": "123456789012" },
          ArnLike: { "aws:SourceArn": "arn:aws:scheduler:us-east-1:123456789012:schedule-group/*" },
        }),
      ]),
    ).toEqual([
      expect.stringMatching(/aws:SourceArn .*schedule-group\/\* is not one schedule group's/),
    ]);
    expect(
      await run("scheduler-role-trust-scoped", [
        trust({
          ArnLike: { "aws:SourceArn": "arn:aws:scheduler:us-east-1:123456789012:schedule-group/g" },
        }),
      ]),
    ).toEqual([expect.stringMatching(/without aws:SourceAccount/)]);
    expect(
      await run("scheduler-role-trust-scoped", [trust(srcAccount, "ecs-tasks.amazonaws.com")]),
    ).toEqual([]);
  });
});

describe("issue 14 policies, the cases the table above does not show", () => {
  const run = async (name: string, resources: ReviewedResource[]) =>
    (
      await runPolicies(
        resources,
        hipaaPolicies.filter((p) => p.name === name),
      )
    )[0]!.violations.map((v) => v.message);

  it("a bucket with no lifecycle configuration at all is a violation", async () => {
    expect(
      await run("buckets-lifecycle-abort-uploads", [r("aws:s3/bucket:Bucket", { id: "b" }, "b")]),
    ).toEqual([expect.stringMatching(/^bucket b has no lifecycle rule/)]);
  });

  it("a trail bucket without access logging, or logging into itself, is a violation in any stack", async () => {
    const trail = r("aws:cloudtrail/trail:Trail", {
      s3BucketName: "t",
      tags: { Environment: "dev" },
    });
    const bucket = r("aws:s3/bucket:Bucket", { id: "t" }, "t");
    expect(await run("trail-bucket-logged-and-replicated", [trail, bucket])).toEqual([
      expect.stringMatching(/trail bucket t has no server access logging/),
    ]);
    const self = r("aws:s3/bucketLogging:BucketLogging", { bucket: "t", targetBucket: "t" });
    expect(await run("trail-bucket-logged-and-replicated", [trail, bucket, self])).toHaveLength(1);
    // outside prod, no replica is required
    const logged = r("aws:s3/bucketLogging:BucketLogging", { bucket: "t", targetBucket: "l" });
    expect(await run("trail-bucket-logged-and-replicated", [trail, bucket, logged])).toEqual([]);
  });

  it("a table tagged PatientData=simulated may go without backups; one with real data may not", async () => {
    const table = (PatientData: string) =>
      r("aws:dynamodb/table:Table", { arn: "arn:table:t", tags: { PatientData } }, "t");
    expect(await run("dynamodb-in-backup-plan", [table("simulated")])).toEqual([]);
    expect(await run("dynamodb-in-backup-plan", [table("real")])).toEqual([
      expect.stringMatching(/table t is in no backup plan/),
    ]);
  });

  it("a security group open to the internet on port 80 is a violation (CKV_AWS_260)", async () => {
    const rule = (port: number) =>
      r("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", {
        cidrIpv4: "0.0.0.0/0",
        fromPort: port,
        toPort: port,
        ipProtocol: "tcp",
      });
    expect(await run("security-group-ingress-restricted", [rule(443)])).toEqual([]);
    expect(await run("security-group-ingress-restricted", [rule(80)])).toEqual([
      expect.stringMatching(/ports 80-80 are open to the internet/),
    ]);
  });
});
