import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { INTERFACE_ENDPOINTS } from "../../infra/components/network";
import { ecrRepositoryOf } from "../../infra/components/runtimeImage";
import { loadStackFile, runStackUnderMocks, type Registered } from "../../infra/review/mockProgram";
import { ofType, one } from "../support/stackResources";
import { phoneNumberReadiness } from "../../infra/phoneNumberReadiness";
import { StackConfigError } from "../../infra/stackConfig";

/**
 * Issue 8: what `pulumi up` needs that mocks alone accept. Each block pins an AWS fact the
 * program relies on (the source is cited at the code that relies on it) or an ordering AWS
 * enforces.
 */

type Statement = {
  Sid?: string;
  Action?: string[];
  Principal?: { Service?: string[] };
  Condition?: Record<string, Record<string, string[]>>;
};
const statements = (json: string) => (JSON.parse(json) as { Statement: Statement[] }).Statement;

// The mock monitor hands newResource no dependencies; record them from the register requests.
const dependencies = new Map<string, string[]>();
const original = MockMonitor.prototype.registerResource;
MockMonitor.prototype.registerResource = function (
  this: MockMonitor,
  req: { getName(): string; getDependenciesList(): string[] },
  callback: unknown,
) {
  dependencies.set(req.getName(), req.getDependenciesList());
  return (original as (...a: unknown[]) => unknown).call(this, req, callback);
} as typeof original;
afterAll(() => {
  MockMonitor.prototype.registerResource = original;
});
const dependsOn = (dependent: Registered, on: Registered) =>
  (dependencies.get(dependent.name) ?? []).some((urn) => urn.endsWith(`::${on.name}`));

function problems(stack: string, overrides: Record<string, string | undefined>): string[] {
  try {
    loadStackFile(stack, overrides);
  } catch (err) {
    if (err instanceof StackConfigError) return [...err.problems];
    throw err;
  }
  return [];
}

/** Glob match as IAM's ArnLike/StringLike does it (`*` any run, `?` one character). */
const globMatches = (pattern: string, value: string) =>
  new RegExp(
    "^" +
      pattern
        .split("")
        .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
        .join("") +
      "$",
  ).test(value);

describe("finding 2: interface endpoints name services that exist", () => {
  it("uses End User Messaging's PrivateLink service name and no SNS endpoint", () => {
    expect(INTERFACE_ENDPOINTS).toEqual([
      "ecr.api",
      "ecr.dkr",
      "logs",
      "secretsmanager",
      "pinpoint-sms-voice-v2",
      // issue 12: the outbound queue's SQS and the runtime's one-time schedules
      "sqs",
      "scheduler",
    ]);
  });
});

describe("finding 3: a stack comes up in one `up` or is refused at validation", () => {
  it("refuses a stack without hostedZoneId, naming the key and why", () => {
    expect(problems("dev", { hostedZoneId: undefined })).toEqual([
      expect.stringMatching(
        /^eum-sms-stack:hostedZoneId is required: the Route 53 hosted zone of domainName/,
      ),
    ]);
    expect(problems("dev", { hostedZoneId: "not-a-zone" })).toEqual([
      expect.stringMatching(/^eum-sms-stack:hostedZoneId="not-a-zone" is not a Route 53/),
    ]);
  });

  it("refuses a created VPC without a NAT gateway (no route to SNS certificates and SubscribeURLs)", () => {
    expect(problems("prod", { natGateway: "false" })).toEqual([
      expect.stringMatching(/^eum-sms-stack:natGateway=false leaves the tasks no route to SNS/),
    ]);
  });

  it.each(["dev", "staging", "prod"])("%s: every stack file passes validation", (stack) => {
    expect(problems(stack, {})).toEqual([]);
  });
});

describe("finding 9: all tasks together never exceed the number's MPS", () => {
  // Since issue 12 the tasks share one budget per second in the table (takeRateBudget, tested by
  // tests/store/outboundStoreConformance.ts with concurrent takers and tests/outbound/flowRatePacer),
  // so the ceiling no longer splits the rate and no longer limits maxCount.
  it("no longer refuses a maxCount for the number's MPS: the budget is shared, not split", () => {
    expect(problems("prod", { maxCount: "11" })).toEqual([]);
    expect(problems("prod", { maxCount: "60", smsMaxPartsPerSecond: "1" })).toEqual([]);
  });
});

describe("finding 8: the number's readiness", () => {
  const topic = "arn:aws:sns:us-east-1:123456789012:eum-sms-prod-inbound-sms";
  it("is ready only when ACTIVE with two-way delivering to the inbound topic", () => {
    expect(
      phoneNumberReadiness({
        status: "ACTIVE",
        twoWayChannelEnabled: true,
        twoWayChannelArn: topic,
        inboundTopicArn: topic,
      }),
    ).toEqual({
      status: "ACTIVE",
      active: true,
      twoWayEnabled: true,
      twoWayToInboundTopic: true,
      ready: true,
      waitingFor: [],
    });
    const pending = phoneNumberReadiness({
      status: "PENDING",
      twoWayChannelEnabled: false,
      twoWayChannelArn: undefined,
      inboundTopicArn: topic,
    });
    expect(pending).toMatchObject({ active: false, twoWayEnabled: false, ready: false });
    expect(pending.waitingFor).toEqual([
      expect.stringContaining("ACTIVE (it is PENDING"),
      expect.stringContaining("two-way SMS to be enabled"),
    ]);
    expect(
      phoneNumberReadiness({
        status: "ACTIVE",
        twoWayChannelEnabled: true,
        twoWayChannelArn: "arn:aws:sns:us-east-1:123456789012:other",
        inboundTopicArn: topic,
      }),
    ).toMatchObject({ ready: false, twoWayToInboundTopic: false });
  });
});

describe.each(["dev", "prod"] as const)("the %s program", (stack) => {
  let resources: Registered[];
  let outputs: Record<string, unknown>;
  beforeAll(async () => {
    ({ resources, outputs } = await runStackUnderMocks(stack));
  }, 120_000);
  const config = loadStackFile(stack);

  it("finding 2: interface endpoints only for services that have one", () => {
    const names = ofType(resources, "aws:ec2/vpcEndpoint:VpcEndpoint").map(
      (r) => r.inputs.serviceName as string,
    );
    for (const name of names) expect(name).not.toMatch(/\.(sms-voice|sns)$/);
    if (config.network.kind === "create" && config.network.vpcEndpoints) {
      expect(names).toContain("com.amazonaws.us-east-1.pinpoint-sms-voice-v2");
      expect(names).toEqual(
        expect.arrayContaining([
          "com.amazonaws.us-east-1.sqs",
          "com.amazonaws.us-east-1.scheduler",
        ]),
      );
    }
  });

  it("finding 3 and 6: the subscription waits for the service, the listener and the DNS record", () => {
    const subscription = one(resources, "aws:sns/topicSubscription:TopicSubscription", "-webhook");
    const record = one(resources, "aws:route53/record:Record", "-dns");
    expect(record.inputs).toMatchObject({ zoneId: config.hostedZoneId, name: config.domainName });
    expect(dependsOn(subscription, record)).toBe(true);
    expect(dependsOn(subscription, one(resources, "aws:ecs/service:Service"))).toBe(true);
    expect(dependsOn(subscription, one(resources, "aws:lb/listener:Listener", "-https"))).toBe(
      true,
    );
  });

  it("finding 6: access logging is switched on only after the bucket policy lets ELB write", () => {
    const alb = one(resources, "aws:lb/loadBalancer:LoadBalancer");
    const policy = one(resources, "aws:s3/bucketPolicy:BucketPolicy", "-access-logs");
    expect(dependsOn(alb, policy)).toBe(true);
  });

  it("finding 7: DLQ key grants are scoped by the source ARN of this stack's topic and rule", () => {
    const key = one(resources, "aws:kms/key:Key", "-keys-messaging");
    const byId = new Map(statements(key.inputs.policy).map((s) => [s.Sid, s]));
    const topicName = one(resources, "aws:sns/topic:Topic", "-inbound").inputs.name as string;
    const ruleName = one(resources, "aws:cloudwatch/eventRule:EventRule").inputs.name as string;
    for (const [sid, arn] of [
      ["SnsWritesEncryptedDlq", `arn:aws:sns:us-east-1:123456789012:${topicName}`],
      ["EventBridgeWritesEncryptedDlq", `arn:aws:events:us-east-1:123456789012:rule/${ruleName}`],
    ] as const) {
      const s = byId.get(sid)!;
      expect(Object.keys(s.Condition!)).toEqual(["ArnLike"]);
      const [pattern] = s.Condition!.ArnLike!["aws:SourceArn"]!;
      expect(globMatches(pattern!, arn)).toBe(true);
      expect(globMatches(pattern!, "arn:aws:sns:us-east-1:999999999999:x")).toBe(false);
    }
  });

  it("finding 9: every task is given the number's whole MPS, which they take from one shared budget", () => {
    const task = one(resources, "aws:ecs/taskDefinition:TaskDefinition");
    const [container] = JSON.parse(task.inputs.containerDefinitions as string) as [
      { environment: { name: string; value: string }[] },
    ];
    const rate = Number(
      container.environment.find((e) => e.name === "SMS_MAX_PARTS_PER_SECOND")!.value,
    );
    const scaling = one(resources, "aws:appautoscaling/target:Target");
    expect(scaling.inputs.maxCapacity).toBe(config.service.maxCount);
    expect(rate).toBe(config.phoneNumber.maxPartsPerSecond);
  });

  it("pins the AWS/SMSVoice metrics the alarms read (names, statistics, no dimensions)", () => {
    const alarms = ofType(resources, "aws:cloudwatch/metricAlarm:MetricAlarm");
    const spend = alarms.find((a) => a.name.endsWith("sms-spend"))!;
    expect(spend.inputs).toMatchObject({
      namespace: "AWS/SMSVoice",
      metricName: "TextMessageMonthlySpend",
      statistic: "Maximum",
    });
    expect(spend.inputs.dimensions ?? {}).toEqual({});
    const ratio = alarms.find((a) => a.name.endsWith("delivery-ratio"))!;
    const smsMetrics = (
      ratio.inputs.metricQueries as {
        metric?: { namespace: string; metricName: string; stat: string; dimensions?: object };
      }[]
    )
      .filter((q) => q.metric?.namespace === "AWS/SMSVoice")
      .map((q) => [q.metric!.metricName, q.metric!.stat, q.metric!.dimensions ?? {}]);
    expect(smsMetrics).toEqual([
      ["NumberOfTextMessagePartsSent", "Sum", {}],
      ["NumberOfTextMessagePartsDelivered", "Sum", {}],
    ]);
  });

  it("finding 8: the task may describe its own number, for the runtime's readiness check", () => {
    const policy = ofType(resources, "aws:iam/policy:Policy").find((p) =>
      p.name.endsWith("-task"),
    )!;
    const describe = statements(policy.inputs.policy).find(
      (s) => s.Sid === "DescribeThisNumber",
    ) as (Statement & { Resource?: string[] }) | undefined;
    expect(describe?.Action).toEqual(["sms-voice:DescribePhoneNumbers"]);
    expect(describe?.Resource).toEqual([
      one(resources, "aws:pinpoint/smsvoicev2PhoneNumber:Smsvoicev2PhoneNumber").state.arn,
    ]);
  });

  it("finding 8: a stack output says whether the number is ready", () => {
    // The mock reports no status, as a number whose read-back lacks one would.
    expect(outputs.phoneNumberReadiness).toMatchObject({
      status: "UNKNOWN",
      active: false,
      twoWayEnabled: true,
      twoWayToInboundTopic: true,
      ready: false,
    });
  });
});

describe("finding 5: the prod trail's key policy is what CreateTrail checks", () => {
  let resources: Registered[];
  beforeAll(async () => {
    ({ resources } = await runStackUnderMocks("prod"));
  }, 120_000);

  it("lets CloudTrail encrypt, describe the key unconditioned by encryption context, and decrypt for the bucket key", () => {
    const key = one(resources, "aws:kms/key:Key", "-keys-logs");
    const trailName = one(resources, "aws:cloudtrail/trail:Trail").inputs.name as string;
    const trailArn = `arn:aws:cloudtrail:us-east-1:123456789012:trail/${trailName}`;
    const trail = statements(key.inputs.policy).filter((s) =>
      s.Principal?.Service?.includes("cloudtrail.amazonaws.com"),
    );
    const granting = (action: string) => trail.filter((s) => s.Action?.includes(action));
    for (const action of ["kms:GenerateDataKey*", "kms:DescribeKey", "kms:Decrypt"]) {
      expect(granting(action)).toHaveLength(1);
      expect(granting(action)[0]!.Condition?.StringEquals?.["aws:SourceArn"]).toEqual([trailArn]);
    }
    // DescribeKey and Decrypt requests carry no trail encryption context.
    for (const action of ["kms:DescribeKey", "kms:Decrypt"]) {
      expect(JSON.stringify(granting(action)[0]!.Condition)).not.toContain("EncryptionContext");
    }
    expect(granting("kms:GenerateDataKey*")[0]!.Condition?.StringLike).toEqual({
      "kms:EncryptionContext:aws:cloudtrail:arn": ["arn:aws:cloudtrail:*:123456789012:trail/*"],
    });
    // The trail bucket is the SSE-KMS bucket-key case the Decrypt grant is for.
    const sse = ofType(
      resources,
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    ).find((r) => r.name.includes("-trail-bucket"))!;
    expect(JSON.stringify(sse.inputs)).toContain('"bucketKeyEnabled":true');
  });
});

describe("finding 10: re-creating a stack, prebuilt images, AWS Backup", () => {
  it("names secrets with a generated suffix, so a destroyed stack's secrets in their recovery window do not block a new one", async () => {
    const { resources } = await runStackUnderMocks("dev");
    const secrets = ofType(resources, "aws:secretsmanager/secret:Secret");
    expect(secrets).toHaveLength(3);
    for (const s of secrets) {
      expect(s.inputs.name).toBeUndefined();
      expect(s.inputs.namePrefix).toMatch(/^eum-sms-dev\/[a-z-]+-$/);
      expect(s.inputs.recoveryWindowInDays).toBe(30);
    }
  }, 120_000);

  it("lets the execution role pull an `image` from ECR", async () => {
    const image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/eum-sms:1.2.3";
    const { resources } = await runStackUnderMocks("dev", { image });
    expect(ofType(resources, "aws:ecr/repository:Repository")).toEqual([]);
    const policy = ofType(resources, "aws:iam/policy:Policy").find((p) =>
      p.name.endsWith("-execution"),
    )!;
    const pull = statements(policy.inputs.policy).find((s) => s.Sid === "PullThisImage") as
      (Statement & { Resource?: string[] }) | undefined;
    expect(pull?.Resource).toEqual(["arn:aws:ecr:us-east-1:123456789012:repository/team/eum-sms"]);
    expect(statements(policy.inputs.policy).some((s) => s.Sid === "EcrLogin")).toBe(true);
  }, 120_000);

  it("reads the repository out of ECR image references only", () => {
    expect(
      ecrRepositoryOf(
        "123456789012.dkr.ecr.eu-west-1.amazonaws.com/eum-sms@sha256:" + "a".repeat(64),
      ),
    ).toEqual({ accountId: "123456789012", region: "eu-west-1", repository: "eum-sms" });
    expect(ecrRepositoryOf("public.ecr.aws/acme/eum-sms:1")).toBeUndefined();
    expect(ecrRepositoryOf("ghcr.io/acme/eum-sms:1")).toBeUndefined();
  });
});
