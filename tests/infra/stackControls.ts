import { loadStackFile, runStackUnderMocks, type Registered } from "../../infra/review/mockProgram";
import { ofType, one } from "../support/stackResources";

type Doc = {
  Statement: {
    Sid?: string;
    Effect: string;
    Action?: string[];
    Resource?: string[];
    Principal?: unknown;
    Condition?: Record<string, Record<string, string[]>>;
  }[];
};
const doc = (json: string): Doc => JSON.parse(json) as Doc;

// How Pulumi's mock monitor hands a secret input to newResource.
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const isSecret = (v: unknown) =>
  (v as Record<string, unknown>)?.["4dabf18193072939515e22adb298388d"] === SECRET_SIG;
const unwrapSecret = (v: unknown) => (isSecret(v) ? (v as { value: unknown }).value : v);

/** AWS types in this program that accept no tags; every other AWS resource must carry them. */
const UNTAGGABLE = new Set([
  "aws:kms/alias:Alias",
  "aws:ec2/route:Route",
  "aws:ec2/routeTableAssociation:RouteTableAssociation",
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  "aws:sns/topicPolicy:TopicPolicy",
  "aws:sns/topicSubscription:TopicSubscription",
  "aws:sqs/queuePolicy:QueuePolicy",
  "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy",
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  "aws:s3/bucketVersioning:BucketVersioning",
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  "aws:s3/bucketPolicy:BucketPolicy",
  "aws:s3/bucketLogging:BucketLogging",
  "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
  "aws:secretsmanager/secretVersion:SecretVersion",
  "aws:wafv2/webAclAssociation:WebAclAssociation",
  "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
  "aws:ecr/lifecyclePolicy:LifecyclePolicy",
  "aws:appautoscaling/policy:Policy",
  "aws:cloudwatch/eventTarget:EventTarget",
  "aws:cloudwatch/eventConnection:EventConnection",
  "aws:cloudwatch/eventApiDestination:EventApiDestination",
  "aws:cloudwatch/dashboard:Dashboard",
  "aws:route53/record:Record",
  "aws:backup/selection:Selection",
  "aws:secretsmanager/secretRotation:SecretRotation",
  "aws:lambda/permission:Permission",
  "aws:cloudwatch/logMetricFilter:LogMetricFilter",
]);

/** The security inputs every stack must have; `stack` names a Pulumi.<stack>.yaml. */
export function describeStackControls(stack: "dev" | "staging" | "prod"): void {
  const config = loadStackFile(stack);
  let resources: Registered[];
  let outputs: Record<string, unknown>;

  beforeAll(async () => {
    ({ resources, outputs } = await runStackUnderMocks(stack));
  }, 60_000);

  const key = (kind: string) => one(resources, "aws:kms/key:Key", `-keys-${kind}`);
  const keyArn = (kind: string) => `arn:aws:kms:us-east-1:123456789012:key/${key(kind).name}`;

  describe(`${stack} stack`, () => {
    it("has the outputs operators need", () => {
      expect(outputs).toMatchObject({
        webhookUrl: `https://${config.domainName}/sms/webhook`,
        phoneNumber: expect.stringMatching(/^\+\d+$/),
        inboundTopicArn: expect.stringContaining(":sns:"),
        tableName: `eum-sms-${stack}-conversations`,
        alarmTopicArn: expect.stringContaining(":sns:"),
        dashboardUrl: expect.stringContaining("#dashboards:name="),
      });
    });

    it("K1/K2: three rotating CMKs whose policies name only the expected principals", () => {
      // The Encryption component's keys; prod's replica key is in complianceControls.test.ts.
      const keys = ofType(resources, "aws:kms/key:Key").filter((k) => k.name.includes("-keys-"));
      expect(keys).toHaveLength(3);
      for (const k of keys) {
        expect(k.inputs).toMatchObject({
          enableKeyRotation: true,
          bypassPolicyLockoutSafetyCheck: false,
          description: expect.stringMatching(/\w+/),
        });
        for (const s of doc(k.inputs.policy).Statement) {
          expect(s.Principal).not.toBe("*");
          const services = (s.Principal as { Service?: string[] }).Service ?? [];
          // every service grant is conditioned
          if (services.length > 0) expect(s.Condition).toBeDefined();
        }
      }
      const services = (k: Registered) =>
        doc(k.inputs.policy)
          .Statement.flatMap((s) => (s.Principal as { Service?: string[] }).Service ?? [])
          .sort();
      expect(services(key("messaging"))).toEqual([
        "cloudwatch.amazonaws.com",
        "events.amazonaws.com",
        "sms-voice.amazonaws.com",
        "sns.amazonaws.com",
      ]);
      expect(services(key("logs"))).toEqual(
        config.createCloudTrail
          ? // encrypt; describe the key and decrypt for the trail bucket's bucket key
            ["cloudtrail.amazonaws.com", "cloudtrail.amazonaws.com", "logs.us-east-1.amazonaws.com"]
          : ["logs.us-east-1.amazonaws.com"],
      );
      expect(services(key("data"))).toEqual([]);
      expect(key("messaging").inputs.tags).toMatchObject({ EventBridgeApiDestinations: "true" });
      const smsVoice = doc(key("messaging").inputs.policy).Statement.find(
        (s) => s.Sid === "EndUserMessagingPublishesInbound",
      )!;
      expect(smsVoice.Condition).toEqual({
        StringEquals: { "aws:SourceAccount": ["123456789012"] },
        ArnLike: { "aws:SourceArn": ["arn:aws:sms-voice:us-east-1:123456789012:*"] },
      });
    });

    it("S1/S2: the inbound topic is CMK-encrypted, SHA256-signed, standard, published only by sms-voice over TLS", () => {
      const topic = one(resources, "aws:sns/topic:Topic", "-inbound");
      expect(topic.inputs).toMatchObject({
        kmsMasterKeyId: keyArn("messaging"),
        signatureVersion: 2,
        fifoTopic: false,
      });
      const policy = doc(
        one(resources, "aws:sns/topicPolicy:TopicPolicy", "-inbound-policy").inputs.policy,
      );
      const allow = policy.Statement.filter((s) => s.Effect === "Allow");
      expect(allow).toHaveLength(1);
      expect(allow[0]).toMatchObject({
        Principal: { Service: ["sms-voice.amazonaws.com"] },
        Action: ["sns:Publish"],
      });
      expect(Object.keys(allow[0]!.Condition!)).toEqual(["StringEquals", "ArnLike"]);
      expect(policy.Statement).toContainEqual(
        expect.objectContaining({
          Effect: "Deny",
          Condition: { Bool: { "aws:SecureTransport": ["false"] } },
        }),
      );
    });

    it("S3/Q1: the HTTPS subscription is signed, retried inside the replay window, and redriven to an encrypted DLQ", () => {
      const sub = ofType(resources, "aws:sns/topicSubscription:TopicSubscription").find(
        (r) => r.inputs.protocol === "https",
      )!;
      expect(sub.inputs).toMatchObject({
        endpoint: `https://${config.domainName}/sms/webhook`,
        rawMessageDelivery: false,
      });
      const dlqName = JSON.parse(sub.inputs.redrivePolicy).deadLetterTargetArn as string;
      expect(dlqName).toContain("inbound-dlq");
      const policy = JSON.parse(sub.inputs.deliveryPolicy).healthyRetryPolicy;
      // retries must end before the runtime's one-hour timestamp window
      let total = policy.numNoDelayRetries * 0;
      let delay = policy.minDelayTarget;
      for (let i = 0; i < policy.numRetries - policy.numNoDelayRetries; i += 1) {
        total += delay;
        delay = Math.min(policy.maxDelayTarget, delay * 2);
      }
      expect(total).toBeLessThan(3600);
      // The outbound send queue (issue 12) keeps 4 days; its checks are in the Q1/Q2/E3 test.
      const queues = ofType(resources, "aws:sqs/queue:Queue");
      for (const q of queues) expect(q.inputs.kmsMasterKeyId).toBe(keyArn("messaging"));
      const deadLetterQueues = queues.filter((q) => q.name.endsWith("-dlq"));
      expect(deadLetterQueues).toHaveLength(3);
      for (const q of deadLetterQueues) expect(q.inputs.messageRetentionSeconds).toBe(1209600);
      const deliveryDlqPolicies = ofType(resources, "aws:sqs/queuePolicy:QueuePolicy").filter(
        (p) => !p.name.startsWith(`eum-sms-${stack}-sends-`),
      );
      expect(deliveryDlqPolicies).toHaveLength(2);
      for (const p of deliveryDlqPolicies) {
        const statements = doc(p.inputs.policy).Statement;
        expect(statements.map((s) => s.Effect).sort()).toEqual(["Allow", "Deny"]);
        const allow = statements.find((s) => s.Effect === "Allow")!;
        expect(allow.Action).toEqual(["sqs:SendMessage"]);
        expect(allow.Condition?.ArnEquals?.["aws:SourceArn"]).toHaveLength(1);
      }
    });

    it("U1: the phone number is two-way to the inbound topic, with an opt-out list and the configured protection", () => {
      const number = one(resources, "aws:pinpoint/smsvoicev2PhoneNumber:Smsvoicev2PhoneNumber");
      expect(number.inputs).toMatchObject({
        numberType: config.phoneNumber.type,
        messageType: "TRANSACTIONAL",
        twoWayChannelEnabled: true,
        twoWayChannelArn: outputs.inboundTopicArn,
        optOutListName: `eum-sms-${stack}-optouts`,
        selfManagedOptOutsEnabled: config.phoneNumber.selfManagedOptOuts,
        deletionProtectionEnabled: config.deletionProtection,
        waitForActive: config.phoneNumber.type === "SIMULATOR",
      });
    });

    it("E1/E2: delivery events reach the webhook through an API-key connection under the CMK, with retries and a DLQ", () => {
      const rule = one(resources, "aws:cloudwatch/eventRule:EventRule");
      expect(JSON.parse(rule.inputs.eventPattern)).toEqual({
        source: ["aws.sms-voice"],
        "detail-type": ["Text Message Delivery Status Updated", "Registration Status Change"],
      });
      const connection = one(resources, "aws:cloudwatch/eventConnection:EventConnection").inputs;
      expect(connection).toMatchObject({
        authorizationType: "API_KEY",
        kmsKeyIdentifier: keyArn("messaging"),
      });
      // The key's value is a Pulumi secret: encrypted in state, never shown in a preview.
      expect(isSecret(connection.authParameters)).toBe(true);
      expect(unwrapSecret(connection.authParameters)).toMatchObject({
        apiKey: { key: "x-api-key", value: expect.stringMatching(/\w{8}/) },
      });
      expect(
        one(resources, "aws:cloudwatch/eventApiDestination:EventApiDestination").inputs,
      ).toMatchObject({
        httpMethod: "POST",
        invocationEndpoint: `https://${config.domainName}/sms/webhook`,
      });
      const target = one(resources, "aws:cloudwatch/eventTarget:EventTarget");
      expect(target.inputs).toMatchObject({
        roleArn: expect.stringContaining("invoke-role"),
        retryPolicy: {
          maximumEventAgeInSeconds: expect.any(Number),
          maximumRetryAttempts: expect.any(Number),
        },
        deadLetterConfig: { arn: expect.stringContaining("events-dlq") },
      });
    });

    it("the target group checks /readyz, drains in 20 s and ramps a new task in over 30 s", () => {
      const group = one(resources, "aws:lb/targetGroup:TargetGroup").inputs;
      expect(group).toMatchObject({
        targetType: "ip",
        protocol: "HTTP",
        deregistrationDelay: 20,
        slowStart: 30,
        healthCheck: { path: "/readyz", matcher: "200" },
      });
      // AWS refuses slow start with least outstanding requests; the default is round robin.
      expect(group.loadBalancingAlgorithmType ?? "round_robin").toBe("round_robin");
    });

    it("A1–A4: HTTPS with a TLS 1.2+ policy, no port 80, hardened ALB with access logs, WAF attached and logged", () => {
      const listeners = ofType(resources, "aws:lb/listener:Listener");
      const https = listeners.find((l) => l.inputs.port === 443)!;
      expect(https.inputs).toMatchObject({
        protocol: "HTTPS",
        sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
        certificateArn: config.certificateArn,
      });
      expect(listeners.map((l) => l.inputs.port)).toEqual([443]);
      expect(one(resources, "aws:lb/loadBalancer:LoadBalancer").inputs).toMatchObject({
        internal: false,
        dropInvalidHeaderFields: true,
        desyncMitigationMode: "strictest",
        enableDeletionProtection: config.deletionProtection,
        accessLogs: { enabled: true },
      });
      expect(
        one(resources, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "access-logs")
          .inputs,
      ).toMatchObject({
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      });
      expect(
        one(resources, "aws:s3/bucketVersioning:BucketVersioning", "access-logs").inputs
          .versioningConfiguration,
      ).toEqual({ status: "Enabled" });
      const acl = one(resources, "aws:wafv2/webAcl:WebAcl");
      expect(acl.inputs.rules[0].statement.rateBasedStatement).toMatchObject({
        limit: config.wafRateLimit,
        aggregateKeyType: "IP",
      });
      expect(acl.inputs.rules.map((r: { name: string }) => r.name)).toEqual([
        "rate-limit-webhook",
        "rate-limit-api",
        "AWSManagedRulesCommonRuleSet",
        "AWSManagedRulesKnownBadInputsRuleSet",
      ]);
      type Rule = { name: string; action?: unknown; statement: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
      const rule = (name: string) => (acl.inputs.rules as Rule[]).find((r) => r.name === name)!;
      const webhookMatch = {
        fieldToMatch: { uriPath: {} },
        positionalConstraint: "STARTS_WITH",
        searchString: "/sms/webhook",
      };
      // Over the rate, the webhook answers a retryable 503 (SNS and EventBridge would drop a 4xx);
      // agents get 429.
      expect(rule("rate-limit-webhook").action).toEqual({
        block: { customResponse: { responseCode: 503 } },
      });
      expect(
        rule("rate-limit-webhook").statement.rateBasedStatement.scopeDownStatement
          .byteMatchStatement,
      ).toMatchObject(webhookMatch);
      expect(rule("rate-limit-api").action).toEqual({
        block: { customResponse: { responseCode: 429 } },
      });
      expect(
        rule("rate-limit-api").statement.rateBasedStatement.scopeDownStatement.notStatement
          .statement.byteMatchStatement,
      ).toMatchObject(webhookMatch);
      // Managed rules never judge the webhook: a patient's free-text reply could trip them.
      for (const name of ["AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"]) {
        expect(
          rule(name).statement.managedRuleGroupStatement.scopeDownStatement.notStatement.statement
            .byteMatchStatement,
        ).toMatchObject(webhookMatch);
      }
      expect(
        one(resources, "aws:wafv2/webAclAssociation:WebAclAssociation").inputs.resourceArn,
      ).toContain("-web-alb");
      expect(
        one(resources, "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration").inputs
          .logDestinationConfigs,
      ).toEqual([expect.stringContaining("-logs-waf")]);
    });

    it("A5/F1: only the ALB reaches the tasks, which run in private subnets without public IPs", () => {
      const service = one(resources, "aws:ecs/service:Service");
      const privateSubnets = ofType(resources, "aws:ec2/subnet:Subnet")
        .filter((s) => s.inputs.tags.Tier === "private")
        .map((s) => `${s.name}-id`);
      expect(service.inputs.networkConfiguration).toEqual({
        assignPublicIp: false,
        subnets: privateSubnets,
        securityGroups: [expect.stringContaining("-runtime-sg")],
      });
      for (const s of ofType(resources, "aws:ec2/subnet:Subnet"))
        expect(s.inputs.mapPublicIpOnLaunch).toBe(false);
      const ingress = ofType(
        resources,
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
      );
      const toTasks = ingress.filter((r) =>
        String(r.inputs.securityGroupId).includes("-runtime-sg"),
      );
      expect(toTasks).toEqual([
        expect.objectContaining({
          inputs: expect.objectContaining({
            referencedSecurityGroupId: expect.stringContaining("-web-sg"),
            fromPort: 10003,
          }),
        }),
      ]);
      const toAlb = ingress.filter((r) => String(r.inputs.securityGroupId).includes("-web-sg"));
      expect(new Set(toAlb.map((r) => r.inputs.fromPort))).toEqual(new Set([443]));
      expect(
        one(resources, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup").inputs.ingress ?? [],
      ).toEqual([]);
      expect(one(resources, "aws:ec2/flowLog:FlowLog").inputs).toMatchObject({
        trafficType: "ALL",
        logDestinationType: "cloud-watch-logs",
      });
    });

    it("F2–F5: read-only, non-root task with secrets from Secrets Manager, separate roles, circuit breaker, Container Insights", () => {
      const task = one(resources, "aws:ecs/taskDefinition:TaskDefinition");
      const [container] = JSON.parse(task.inputs.containerDefinitions);
      expect(container).toMatchObject({
        readonlyRootFilesystem: true,
        user: "1000:1000",
        privileged: false,
      });
      expect(container.secrets.map((s: { name: string }) => s.name)).toEqual([
        "AGENT_API_TOKEN",
        "EVENTBRIDGE_API_KEY",
        "PATIENT_REF_KEY",
      ]);
      for (const s of container.secrets) expect(s.valueFrom).toContain(":secretsmanager:");
      const envNames = container.environment.map((e: { name: string }) => e.name);
      expect(envNames).toEqual(
        expect.arrayContaining([
          "USE_MOCK_SMS",
          "STORE",
          "SNS_ALLOWED_TOPIC_ARNS",
          "AWS_SMS_ORIGINATION_NUMBER",
        ]),
      );
      for (const name of envNames) expect(name).not.toMatch(/TOKEN|KEY$|SECRET|PASSWORD/);
      expect(container.environment).toContainEqual({ name: "USE_MOCK_SMS", value: "false" });
      expect(container.environment).toContainEqual({
        name: "AUDIT_LOG_GROUP",
        value: `/eum-sms/eum-sms-${stack}/audit`,
      });
      expect(container.environment).not.toContainEqual(
        expect.objectContaining({ name: "SNS_CERT_FETCH_OVERRIDE" }),
      );
      expect(container.logConfiguration).toMatchObject({ logDriver: "awslogs" });
      expect(task.inputs.taskRoleArn).not.toEqual(task.inputs.executionRoleArn);
      expect(one(resources, "aws:ecs/service:Service").inputs).toMatchObject({
        deploymentCircuitBreaker: { enable: true, rollback: true },
        platformVersion: "LATEST",
        launchType: "FARGATE",
        desiredCount: config.service.desiredCount,
      });
      expect(one(resources, "aws:ecs/cluster:Cluster").inputs.settings).toEqual([
        { name: "containerInsights", value: "enabled" },
      ]);
      for (const secret of ofType(resources, "aws:secretsmanager/secret:Secret")) {
        expect(secret.inputs.kmsKeyId).toBe(keyArn("messaging"));
      }
    });

    it("I1/I2: IAM policies are attached managed policies with no wildcard actions and scoped resources", () => {
      const policies = ofType(resources, "aws:iam/policy:Policy");
      expect(policies.length).toBeGreaterThanOrEqual(4);
      for (const p of policies) {
        for (const s of doc(p.inputs.policy).Statement) {
          for (const action of s.Action ?? []) expect(action).not.toMatch(/(^\*$)|(:\*$)/);
          if ((s.Resource ?? []).includes("*"))
            expect(s.Action).toEqual(["ecr:GetAuthorizationToken"]);
        }
      }
      const roles = ofType(resources, "aws:iam/role:Role");
      for (const role of roles) {
        expect(role.inputs.inlinePolicies ?? []).toEqual([]);
        for (const s of doc(role.inputs.assumeRolePolicy).Statement)
          expect(s.Condition).toBeDefined();
      }
      const task = policies.find((p) => p.name.endsWith("-runtime-task"))!;
      const send = doc(task.inputs.policy).Statement.find(
        (s) => s.Sid === "SendFromThisNumberAndConfigurationSet",
      )!;
      expect(send.Action).toEqual(["sms-voice:SendTextMessage"]);
      expect(send.Resource).toEqual([
        outputs.phoneNumberArn,
        expect.stringContaining(":configuration-set/"),
      ]);
      const audit = doc(task.inputs.policy).Statement.find((st) => st.Sid === "AppendAuditEvents");
      expect(audit?.Action).toEqual(["logs:CreateLogStream", "logs:PutLogEvents"]);
      expect(audit?.Resource).toEqual([expect.stringMatching(/-logs-audit:\*$/)]);
    });

    it("D1: the table has a CMK, point-in-time recovery, TTL and the configured deletion protection", () => {
      expect(one(resources, "aws:dynamodb/table:Table").inputs).toMatchObject({
        serverSideEncryption: { enabled: true, kmsKeyArn: keyArn("data") },
        pointInTimeRecovery: { enabled: true },
        ttl: { attributeName: "ttl", enabled: true },
        deletionProtectionEnabled: config.deletionProtection,
      });
      const selections = ofType(resources, "aws:backup/selection:Selection");
      if (config.backupRetentionDays > 0) {
        expect(selections).toHaveLength(1);
        expect(selections[0]!.inputs.resources).toEqual([expect.stringContaining("-data")]);
        expect(one(resources, "aws:backup/plan:Plan").inputs.rules[0].lifecycle).toEqual({
          deleteAfter: config.backupRetentionDays,
        });
        expect(one(resources, "aws:backup/vault:Vault").inputs.kmsKeyArn).toBe(keyArn("data"));
      } else {
        expect(selections).toHaveLength(0);
      }
      expect(one(resources, "aws:ecr/repository:Repository").inputs).toMatchObject({
        imageTagMutability: "IMMUTABLE",
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: keyArn("data") }],
      });
    });

    it("F3: every log group is under the logs key with its configured retention", () => {
      const groups = ofType(resources, "aws:cloudwatch/logGroup:LogGroup");
      for (const g of groups) expect(g.inputs.kmsKeyId).toBe(keyArn("logs"));
      const retention = (suffix: string) =>
        one(resources, "aws:cloudwatch/logGroup:LogGroup", suffix).inputs.retentionInDays;
      expect(retention("-logs-service")).toBe(config.logRetentionDays);
      expect(retention("-logs-audit")).toBe(config.auditLogRetentionDays);
    });

    it("Q1/Q2/E3: the outbound queue is CMK-encrypted, TLS-only and redriven; Scheduler and the task reach it and nothing else", () => {
      const queue = ofType(resources, "aws:sqs/queue:Queue").find((q) =>
        q.name.endsWith("-sends"),
      )!;
      const dlq = one(resources, "aws:sqs/queue:Queue", "-sends-dlq");
      expect(queue.inputs).toMatchObject({
        kmsMasterKeyId: keyArn("messaging"),
        visibilityTimeoutSeconds: 60,
        messageRetentionSeconds: 4 * 24 * 3600,
      });
      expect(queue.inputs.sqsManagedSseEnabled).not.toBe(true);
      expect(JSON.parse(queue.inputs.redrivePolicy)).toEqual({
        deadLetterTargetArn: dlq.state.arn,
        maxReceiveCount: 5,
      });
      expect(dlq.inputs).toMatchObject({
        kmsMasterKeyId: keyArn("messaging"),
        messageRetentionSeconds: 1209600,
      });
      expect(dlq.inputs.redrivePolicy).toBeUndefined();
      expect(
        JSON.parse(
          one(resources, "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy").inputs.redriveAllowPolicy,
        ),
      ).toEqual({ redrivePermission: "byQueue", sourceQueueArns: [queue.state.arn] });
      for (const suffix of ["-sends-policy", "-sends-dlq-policy"]) {
        const policy = one(resources, "aws:sqs/queuePolicy:QueuePolicy", suffix);
        expect(doc(policy.inputs.policy).Statement).toEqual([
          expect.objectContaining({
            Effect: "Deny",
            Principal: "*",
            Condition: { Bool: { "aws:SecureTransport": ["false"] } },
          }),
        ]);
      }

      const group = one(resources, "aws:scheduler/scheduleGroup:ScheduleGroup");
      expect(group.inputs.name).toBe(`eum-sms-${stack}-sends`);
      const schedules = `arn:aws:scheduler:us-east-1:123456789012:schedule/eum-sms-${stack}-sends/*`;
      const schedulerRole = one(resources, "aws:iam/role:Role", "-schedules-delivery-role");
      expect(doc(schedulerRole.inputs.assumeRolePolicy).Statement).toEqual([
        expect.objectContaining({
          Principal: { Service: ["scheduler.amazonaws.com"] },
          Condition: {
            StringEquals: { "aws:SourceAccount": ["123456789012"] },
            ArnLike: {
              "aws:SourceArn": [
                `arn:aws:scheduler:us-east-1:123456789012:schedule-group/eum-sms-${stack}-sends`,
                schedules,
              ],
            },
          },
        }),
      ]);
      const schedulerPolicy = doc(
        one(resources, "aws:iam/policy:Policy", "-schedules-delivery").inputs.policy,
      ).Statement;
      expect(schedulerPolicy.map((s) => [s.Action, s.Resource])).toEqual([
        [["sqs:SendMessage"], [queue.state.arn]],
        [["kms:GenerateDataKey", "kms:Decrypt"], [keyArn("messaging")]],
        [["kms:Decrypt"], [keyArn("messaging")]],
      ]);
      expect(schedulerPolicy[1]!.Condition).toEqual({
        StringEquals: { "kms:ViaService": ["sqs.us-east-1.amazonaws.com"] },
      });
      expect(schedulerPolicy[2]!.Condition).toEqual({
        ArnLike: { "kms:EncryptionContext:aws:scheduler:schedule:arn": [schedules] },
      });

      const task = doc(
        ofType(resources, "aws:iam/policy:Policy").find((p) => p.name.endsWith("-runtime-task"))!
          .inputs.policy,
      ).Statement;
      const sid = (id: string) => task.find((s) => s.Sid === id)!;
      expect(sid("UseTheSendQueue")).toMatchObject({
        Action: [
          "sqs:SendMessage",
          "sqs:ReceiveMessage",
          "sqs:DeleteMessage",
          "sqs:ChangeMessageVisibility",
          "sqs:GetQueueAttributes",
        ],
        Resource: [queue.state.arn],
      });
      expect(sid("SendQueueKeyThroughSqsOnly").Condition).toEqual({
        StringEquals: { "kms:ViaService": ["sqs.us-east-1.amazonaws.com"] },
      });
      expect(sid("ManageSendSchedules").Resource).toEqual([schedules]);
      expect(sid("PassTheSchedulerRoleToSchedulerOnly")).toMatchObject({
        Action: ["iam:PassRole"],
        Resource: [schedulerRole.state.arn],
        Condition: { StringEquals: { "iam:PassedToService": ["scheduler.amazonaws.com"] } },
      });
      expect(sid("ScheduleKeyDescribedThroughSchedulerOnly")).toMatchObject({
        Action: ["kms:DescribeKey"],
        Condition: { StringEquals: { "kms:ViaService": ["scheduler.us-east-1.amazonaws.com"] } },
      });
      expect(sid("ScheduleKeyThroughSchedulerOnly").Action).toEqual([
        "kms:GenerateDataKey",
        "kms:Decrypt",
      ]);
      expect(sid("ScheduleKeyThroughSchedulerOnly").Condition).toEqual({
        StringEquals: { "kms:ViaService": ["scheduler.us-east-1.amazonaws.com"] },
        ArnLike: { "kms:EncryptionContext:aws:scheduler:schedule:arn": [schedules] },
      });

      const [container] = JSON.parse(
        one(resources, "aws:ecs/taskDefinition:TaskDefinition").inputs.containerDefinitions,
      );
      const env = Object.fromEntries(
        (container.environment as { name: string; value: string }[]).map((e) => [e.name, e.value]),
      );
      expect(env).toMatchObject({
        OUTBOUND_QUEUE_URL: queue.state.url,
        OUTBOUND_QUEUE_ARN: queue.state.arn,
        SEND_SCHEDULE_GROUP: `eum-sms-${stack}-sends`,
        SEND_SCHEDULER_ROLE_ARN: schedulerRole.state.arn,
        REQUIRE_CONSENT: String(config.sendRules.requireConsent),
        QUIET_HOURS: config.sendRules.quietHours,
        FREQUENCY_CAP: config.sendRules.frequencyCap,
      });

      const alarm = (suffix: string) =>
        one(resources, "aws:cloudwatch/metricAlarm:MetricAlarm", `-monitoring-${suffix}`).inputs;
      expect(alarm("send-queue-age")).toMatchObject({
        namespace: "AWS/SQS",
        metricName: "ApproximateAgeOfOldestMessage",
        dimensions: { QueueName: queue.state.name },
        threshold: 900,
      });
      const dashboard = JSON.stringify(
        JSON.parse(one(resources, "aws:cloudwatch/dashboard:Dashboard").inputs.dashboardBody),
      );
      expect(dashboard).toContain(
        JSON.stringify([
          "AWS/SQS",
          "ApproximateNumberOfMessagesVisible",
          "QueueName",
          queue.state.name,
        ]).slice(0, -1),
      );
      expect(dashboard).toContain('"ApproximateAgeOfOldestMessage"');
      expect(dashboard).toContain(`"${dlq.state.name}"`);
      expect(alarm("send-dlq")).toMatchObject({
        metricName: "ApproximateNumberOfMessagesVisible",
        dimensions: { QueueName: dlq.state.name },
        threshold: 0,
      });
    });

    it("W1/W2: every alarm notifies the alarm topic, and the expected alarms exist", () => {
      const alarms = ofType(resources, "aws:cloudwatch/metricAlarm:MetricAlarm");
      const topic = outputs.alarmTopicArn;
      for (const a of alarms) {
        expect(a.inputs.alarmActions).toEqual([topic]);
        expect(a.inputs.okActions).toEqual([topic]);
      }
      const names = alarms.map((a) => a.name.replace(`eum-sms-${stack}-monitoring-`, ""));
      expect(names.sort()).toEqual(
        [
          "alb-5xx",
          "target-5xx",
          "unhealthy-hosts",
          "p99-latency",
          "cpu",
          "memory",
          "eventbridge-failed",
          "sns-failed",
          "inbound-sms-dlq",
          "delivery-events-dlq",
          "sms-spend",
          "send-queue-age",
          "send-dlq",
          "sends-held",
          "send-outcome-unknown",
          "tasks-below-desired",
          "delivery-ratio",
        ].sort(),
      );
      const spend = alarms.find((a) => a.name.endsWith("sms-spend"))!;
      expect(spend.inputs).toMatchObject({
        namespace: "AWS/SMSVoice",
        metricName: "TextMessageMonthlySpend",
        threshold: config.smsMonthlyBudgetUsd * 0.8,
      });
      expect(
        ofType(resources, "aws:sns/topicSubscription:TopicSubscription").find(
          (s) => s.inputs.protocol === "email",
        )?.inputs.endpoint,
      ).toBe(config.alarmEmail);
      expect(one(resources, "aws:sns/topic:Topic", "-alarms").inputs.kmsMasterKeyId).toBe(
        keyArn("messaging"),
      );
    });

    it("W2/U2: the runtime's metric lines become metrics on its log group, alarmed and on the dashboard, without dimensions", () => {
      const namespace = `eum-sms-${stack}/runtime`;
      const serviceLogGroup = one(resources, "aws:cloudwatch/logGroup:LogGroup", "-logs-service");
      const filters = ofType(resources, "aws:cloudwatch/logMetricFilter:LogMetricFilter");
      expect(filters.map((f) => [f.name, f.inputs.metricTransformation.name]).sort()).toEqual(
        [
          [`eum-sms-${stack}-log-metrics-carrier-retry-queued`, "CarrierRetryQueued"],
          [`eum-sms-${stack}-log-metrics-send-outcome-unknown`, "SendOutcomeUnknown"],
          [`eum-sms-${stack}-log-metrics-sends-held`, "SendsHeld"],
        ].sort(),
      );
      for (const f of filters) {
        const metric = f.inputs.metricTransformation.name as string;
        expect(f.inputs).toEqual({
          name: metric,
          logGroupName: serviceLogGroup.inputs.name,
          pattern: `{ ($.metric = "${metric}") && ($.value = *) }`,
          metricTransformation: {
            name: metric,
            namespace,
            value: "$.value",
            unit: metric === "SendsHeld" ? "None" : "Count",
          },
        });
      }

      const alarm = (suffix: string) =>
        one(resources, "aws:cloudwatch/metricAlarm:MetricAlarm", `-monitoring-${suffix}`).inputs;
      expect(alarm("sends-held")).toMatchObject({
        namespace,
        metricName: "SendsHeld",
        statistic: "Maximum",
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        threshold: 1,
        period: 300,
        evaluationPeriods: 4,
        datapointsToAlarm: 3,
        treatMissingData: "notBreaching",
      });
      expect(alarm("send-outcome-unknown")).toMatchObject({
        namespace,
        metricName: "SendOutcomeUnknown",
        statistic: "Sum",
        comparisonOperator: "GreaterThanThreshold",
        threshold: 0,
      });
      for (const suffix of ["sends-held", "send-outcome-unknown"]) {
        expect(alarm(suffix).dimensions).toBeUndefined();
      }

      const widgets = (
        JSON.parse(one(resources, "aws:cloudwatch/dashboard:Dashboard").inputs.dashboardBody) as {
          widgets: { properties: { title: string; metrics: unknown[][] } }[];
        }
      ).widgets;
      const metricsOf = (title: RegExp) =>
        widgets.find((w) => title.test(w.properties.title))?.properties.metrics;
      expect(metricsOf(/^Sends held/)).toEqual([
        [namespace, "SendsHeld", { stat: "Maximum", period: 60 }],
      ]);
      expect(metricsOf(/outcome unknown/)).toEqual([
        [namespace, "SendOutcomeUnknown", { stat: "Sum" }],
        [".", "CarrierRetryQueued", { stat: "Sum" }],
      ]);
    });

    it("tags every taggable resource with Environment, DataClassification, ManagedBy and Service", () => {
      const untagged = resources
        .filter((r) => r.custom && r.type.startsWith("aws:") && !UNTAGGABLE.has(r.type))
        .filter((r) => {
          const tags = r.inputs.tags ?? {};
          return (
            tags.Environment !== stack ||
            tags.DataClassification !== "PHI" ||
            tags.ManagedBy !== "pulumi" ||
            tags.Service !== "eum-sms"
          );
        })
        .map((r) => `${r.type} ${r.name}`);
      expect(untagged).toEqual([]);
    });
  });
}
