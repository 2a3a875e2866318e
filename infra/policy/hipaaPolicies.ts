/**
 * The HIPAA controls of ../shared/reference/hipaa-controls.md (section 2.4) as Pulumi policies.
 * Plain data and functions: tests and the offline review import this module directly, and
 * `index.ts` wraps it in a PolicyPack for `pulumi preview --policy-pack infra/policy`.
 */
import type { PolicyResource } from "@pulumi/policy";
import {
  asList,
  deniesInsecureTransport,
  isProd,
  principals,
  refersTo,
  resourcePolicy,
  stackPolicy,
  statements,
  type HipaaPolicy,
} from "./policyKit";

type Props = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === "string" ? v : "");

/** TLS policies that allow only TLS 1.2 and 1.3 with forward secrecy. */
export const ALLOWED_SSL_POLICIES = [
  "ELBSecurityPolicy-TLS13-1-2-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09",
  "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
  "ELBSecurityPolicy-TLS13-1-3-2021-06",
  "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
  "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
];

/** Actions that have no resource to scope to, so `Resource: "*"` is their only form. */
export const UNSCOPABLE_ACTIONS = [
  "ecr:GetAuthorizationToken",
  "sts:GetCallerIdentity",
  "logs:DescribeLogGroups",
];

const SECRET_NAME = /(TOKEN|SECRET|PASSWORD|PASSWD|API_KEY|PRIVATE_KEY|_KEY)$/i;

export const hipaaPolicies: HipaaPolicy[] = [
  // ------------------------------------------------------------------ KMS
  resourcePolicy({
    name: "kms-key-rotation-and-description",
    control: "K1",
    sources: [
      "AwsSolutions-KMS5",
      "NIST.800.53.R5-KMSBackingKeyRotationEnabled",
      "CKV_AWS_7",
      "CKV_AWS_227",
    ],
    description:
      "Customer-managed keys rotate, are described, and never bypass the lockout safety check",
    enforcementLevel: "mandatory",
    remediation:
      "the Encryption component sets enableKeyRotation: true, a description and bypassPolicyLockoutSafetyCheck: false",
    types: ["aws:kms/key:Key"],
    check: (p) => [
      ...(p.enableKeyRotation === true ? [] : ["key rotation is off"]),
      ...(str(p.description).trim() ? [] : ["the key has no description"]),
      ...(p.bypassPolicyLockoutSafetyCheck === true
        ? ["the key bypasses the policy lockout safety check"]
        : []),
      ...(p.isEnabled === false ? ["the key is disabled"] : []),
    ],
  }),
  resourcePolicy({
    name: "kms-key-policy-scoped",
    control: "K2",
    sources: ["CKV_AWS_33", "CKV2_AWS_64"],
    description:
      "Key policies are defined, name no '*' principal, and condition every service grant",
    enforcementLevel: "mandatory",
    remediation:
      "give the key an explicit policy; scope service principals with aws:SourceAccount/aws:SourceArn or kms:EncryptionContext",
    types: ["aws:kms/key:Key"],
    check: (p) => {
      if (p.policy === undefined) return ["the key has no explicit key policy"];
      return statements(p.policy).flatMap((s) => {
        if (s.Effect === "Deny") return [];
        const who = principals(s);
        if (who.wildcard) return [`statement ${s.Sid ?? ""} allows any principal`];
        if (who.services.length > 0 && !s.Condition)
          return [`statement ${s.Sid ?? ""} grants ${who.services.join(", ")} without a condition`];
        return [];
      });
    },
  }),

  // ------------------------------------------------------------------ SNS
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
      "subscribe https://<domainName>/sms/webhook with rawMessageDelivery: false and a redrivePolicy (Messaging.subscribeWebhook)",
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

  // ------------------------------------------------------------------ SQS
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

  // ------------------------------------------------------------------ EventBridge
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

  // ------------------------------------------------------------------ ALB
  resourcePolicy({
    name: "alb-listener-tls-or-redirect",
    control: "A1",
    sources: [
      "HIPAA.Security-ELBv2ACMCertificateRequired",
      "HIPAA.Security-ALBHttpToHttpsRedirection",
      "CKV_AWS_2",
      "CKV2_AWS_20",
      "CKV_AWS_103",
    ],
    description:
      "HTTPS listeners use an ACM certificate and a TLS 1.2+ policy; HTTP listeners only redirect to HTTPS",
    enforcementLevel: "mandatory",
    remediation:
      "set certificateArn (config certificateArn) and secureDefaults.albSslPolicy; let port 80 only redirect",
    types: ["aws:lb/listener:Listener"],
    check: (p) => {
      const protocol = str(p.protocol);
      if (protocol === "HTTPS" || protocol === "TLS") {
        return [
          ...(ALLOWED_SSL_POLICIES.includes(str(p.sslPolicy))
            ? []
            : [`ssl policy ${str(p.sslPolicy) || "(default 2016-08)"} allows TLS below 1.2`]),
          ...(/:acm:/.test(str(p.certificateArn)) ? [] : ["the listener has no ACM certificate"]),
        ];
      }
      const actions = (p.defaultActions as Props[] | undefined) ?? [];
      const redirectsOnly =
        actions.length > 0 &&
        actions.every(
          (a) => a.type === "redirect" && (a.redirect as Props | undefined)?.protocol === "HTTPS",
        );
      return redirectsOnly ? [] : ["a plain-HTTP listener does more than redirect to HTTPS"];
    },
  }),
  resourcePolicy({
    name: "alb-hardened",
    control: "A2",
    sources: [
      "HIPAA.Security-ALBHttpDropInvalidHeaderEnabled",
      "HIPAA.Security-ELBLoggingEnabled",
      "CKV_AWS_131",
      "CKV_AWS_328",
      "CKV_AWS_91",
    ],
    description:
      "Application load balancers drop invalid headers, use defensive or strictest desync mitigation, and log access",
    enforcementLevel: "mandatory",
    remediation:
      "keep secureDefaults.albDropInvalidHeaderFields/albDesyncMitigationMode and accessLogs (WebhookLoadBalancer)",
    types: ["aws:lb/loadBalancer:LoadBalancer"],
    check: (p) => {
      if (p.loadBalancerType !== undefined && p.loadBalancerType !== "application") return [];
      return [
        ...(p.dropInvalidHeaderFields === true ? [] : ["invalid header fields are forwarded"]),
        ...(["defensive", "strictest"].includes(str(p.desyncMitigationMode) || "defensive")
          ? []
          : ["desync mitigation is monitor-only"]),
        ...((p.accessLogs as Props | undefined)?.enabled === true ? [] : ["access logs are off"]),
      ];
    },
  }),
  resourcePolicy({
    name: "alb-deletion-protection-in-prod",
    control: "A2",
    sources: ["HIPAA.Security-ELBDeletionProtectionEnabled", "CKV_AWS_150"],
    description: "Production load balancers have deletion protection",
    enforcementLevel: "mandatory",
    remediation: "set deletionProtection: true in the prod stack (the default outside dev)",
    types: ["aws:lb/loadBalancer:LoadBalancer"],
    check: (p) =>
      isProd(p) && p.enableDeletionProtection !== true
        ? ["a production load balancer can be deleted"]
        : [],
  }),
  resourcePolicy({
    name: "waf-rate-limit-and-managed-rules",
    control: "A4",
    sources: ["CKV_AWS_175", "CKV_AWS_342", "CKV_AWS_192"],
    description: "Web ACLs have a rate-based rule and AWS managed rule groups",
    enforcementLevel: "mandatory",
    remediation: "keep the WebhookLoadBalancer web ACL rules (config wafRateLimit)",
    types: ["aws:wafv2/webAcl:WebAcl"],
    check: (p) => {
      const rules = (p.rules as Props[] | undefined) ?? [];
      const has = (kind: string) =>
        rules.some((r) => (r.statement as Props | undefined)?.[kind] !== undefined);
      return [
        ...(has("rateBasedStatement") ? [] : ["the web ACL has no rate-based rule"]),
        ...(has("managedRuleGroupStatement") ? [] : ["the web ACL has no AWS managed rule group"]),
      ];
    },
  }),
  resourcePolicy({
    name: "security-group-ingress-restricted",
    control: "A5",
    sources: ["HIPAA.Security-EC2RestrictedCommonPorts", "AwsSolutions-EC23", "CKV_AWS_260"],
    description:
      "Nothing is open to the internet but HTTPS (and HTTP for its redirect) on the load balancer",
    enforcementLevel: "mandatory",
    remediation:
      "open only 443/80 to ingressCidrs on the ALB; reach tasks through the ALB security group",
    types: [
      "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
      "aws:ec2/securityGroup:SecurityGroup",
    ],
    check: (p, type) => {
      const rules =
        type === "aws:ec2/securityGroup:SecurityGroup"
          ? ((p.ingress as Props[] | undefined) ?? []).map((r) => ({
              cidrs: asList(r.cidrBlocks as string[]),
              from: Number(r.fromPort),
              to: Number(r.toPort),
            }))
          : [
              {
                cidrs: asList(p.cidrIpv4 as string),
                from: Number(p.fromPort),
                to: Number(p.toPort),
              },
            ];
      return rules
        .filter((r) => r.cidrs.includes("0.0.0.0/0"))
        .filter((r) => !(r.from === r.to && (r.from === 443 || r.from === 80)))
        .map((r) => `ports ${r.from}-${r.to} are open to the internet`);
    },
  }),

  // ------------------------------------------------------------------ ECS
  resourcePolicy({
    name: "ecs-task-hardened",
    control: "F2",
    sources: [
      "AwsSolutions-ECS2",
      "AwsSolutions-ECS7",
      "CKV_AWS_336",
      "CKV_AWS_334",
      "CKV_AWS_335",
      "CKV_AWS_249",
    ],
    description:
      "Containers run read-only, non-root, unprivileged, log to CloudWatch, take secrets from Secrets Manager; task and execution roles differ",
    enforcementLevel: "mandatory",
    remediation:
      "keep the RuntimeService container definition (secureDefaults.readonlyRootFilesystem, containerUser) and pass secrets as `secrets`",
    types: ["aws:ecs/taskDefinition:TaskDefinition"],
    check: (p) => {
      let containers: Props[] = [];
      try {
        containers = JSON.parse(str(p.containerDefinitions) || "[]") as Props[];
      } catch {
        return ["containerDefinitions is not JSON"];
      }
      const problems = containers.flatMap((c) => {
        const name = str(c.name);
        const env = ((c.environment as Props[] | undefined) ?? []).map((e) => str(e.name));
        const user = str(c.user);
        return [
          ...(c.readonlyRootFilesystem === true ? [] : [`${name}: root filesystem is writable`]),
          ...(user === "" || user === "root" || user.startsWith("0")
            ? [`${name}: runs as root`]
            : []),
          ...(c.privileged === true ? [`${name}: runs privileged`] : []),
          ...(((c.logConfiguration as Props | undefined)?.logDriver ?? "") === ""
            ? [`${name}: has no log configuration`]
            : []),
          ...env
            .filter((n) => SECRET_NAME.test(n))
            .map((n) => `${name}: secret-looking ${n} is plain environment`),
        ];
      });
      if (p.pidMode === "host") problems.push("the task shares the host PID namespace");
      if (p.taskRoleArn !== undefined && p.taskRoleArn === p.executionRoleArn)
        problems.push("task and execution roles are the same role");
      return problems;
    },
  }),
  resourcePolicy({
    name: "ecs-service-private-with-rollback",
    control: "F1",
    sources: ["CKV_AWS_333", "CKV_AWS_332", "pulumi-awsx#354"],
    description: "Services run without public IPs and roll back failed deployments",
    enforcementLevel: "mandatory",
    remediation:
      "keep assignPublicIp: false and deploymentCircuitBreaker {enable, rollback} (RuntimeService)",
    types: ["aws:ecs/service:Service"],
    check: (p) => [
      ...((p.networkConfiguration as Props | undefined)?.assignPublicIp === true
        ? ["tasks get public IPs"]
        : []),
      ...((p.deploymentCircuitBreaker as Props | undefined)?.rollback === true
        ? []
        : ["failed deployments do not roll back"]),
    ],
  }),
  resourcePolicy({
    name: "ecs-cluster-container-insights",
    control: "F3",
    sources: ["AwsSolutions-ECS4", "CKV_AWS_65"],
    description: "Clusters have Container Insights",
    enforcementLevel: "mandatory",
    remediation: "set the containerInsights setting to enabled (RuntimeService)",
    types: ["aws:ecs/cluster:Cluster"],
    check: (p) =>
      ((p.settings as Props[] | undefined) ?? []).some(
        (s) => s.name === "containerInsights" && ["enabled", "enhanced"].includes(str(s.value)),
      )
        ? []
        : ["Container Insights is off"],
  }),
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

  // ------------------------------------------------------------------ IAM
  resourcePolicy({
    name: "iam-policy-least-privilege",
    control: "I1",
    sources: [
      "HIPAA.Security-IAMPolicyNoStatementsWithAdminAccess",
      "HIPAA.Security-IAMPolicyNoStatementsWithFullAccess",
      "AwsSolutions-IAM5",
      "CKV_AWS_1",
      "CKV_AWS_62",
      "CKV_AWS_63",
      "CKV_AWS_355",
    ],
    description:
      "IAM policies allow no '*' or 'service:*' action and no '*' resource where the action can be scoped",
    enforcementLevel: "mandatory",
    remediation: "name actions and scope resources to ARNs with aws.iam.getPolicyDocumentOutput",
    types: ["aws:iam/policy:Policy"],
    check: (p) =>
      statements(p.policy)
        .filter((s) => s.Effect !== "Deny")
        .flatMap((s) => {
          const actions = asList(s.Action);
          return [
            ...actions
              .filter((a) => a === "*" || a.endsWith(":*"))
              .map((a) => `statement ${s.Sid ?? ""} allows ${a}`),
            ...(asList(s.Resource).includes("*") &&
            actions.some((a) => !UNSCOPABLE_ACTIONS.includes(a))
              ? [
                  `statement ${s.Sid ?? ""} applies ${actions.filter((a) => !UNSCOPABLE_ACTIONS.includes(a)).join(", ")} to every resource`,
                ]
              : []),
          ];
        }),
  }),
  resourcePolicy({
    name: "iam-no-inline-policies",
    control: "I2",
    sources: ["HIPAA.Security-IAMNoInlinePolicy", "AwsSolutions-IAM4"],
    description: "Roles carry customer-managed policies, never inline ones",
    enforcementLevel: "mandatory",
    remediation: "create an aws.iam.Policy and attach it with RolePolicyAttachment",
    types: ["aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy"],
    check: (p, type) =>
      type === "aws:iam/rolePolicy:RolePolicy" ||
      ((p.inlinePolicies as unknown[] | undefined) ?? []).length > 0
        ? ["the role has an inline policy"]
        : [],
  }),
  resourcePolicy({
    name: "iam-role-trust-conditioned",
    control: "I3",
    sources: ["CKV_AWS_60", "CKV_AWS_61"],
    description: "Roles trust only service principals, each conditioned on this account",
    enforcementLevel: "mandatory",
    remediation:
      "add aws:SourceAccount (and aws:SourceArn where the service sends it) to the trust policy",
    types: ["aws:iam/role:Role"],
    check: (p) =>
      statements(p.assumeRolePolicy)
        .filter((s) => s.Effect !== "Deny")
        .flatMap((s) => {
          const who = principals(s);
          if (who.wildcard) return ["any principal may assume the role"];
          if (who.services.length > 0 && !s.Condition)
            return [`${who.services.join(", ")} may assume the role from any account`];
          return [];
        }),
  }),

  // ------------------------------------------------------------------ secrets, data, images
  resourcePolicy({
    name: "secret-encrypted-with-cmk",
    control: "M1",
    sources: ["HIPAA.Security-SecretsManagerUsingKMSKey", "CKV_AWS_149"],
    description: "Secrets are encrypted with a customer-managed key",
    enforcementLevel: "mandatory",
    remediation: "set kmsKeyId to the messaging key (RuntimeSecrets)",
    types: ["aws:secretsmanager/secret:Secret"],
    check: (p) => (str(p.kmsKeyId) ? [] : ["the secret uses the AWS-managed key"]),
  }),
  resourcePolicy({
    name: "dynamodb-table-protected",
    control: "D1",
    sources: ["HIPAA.Security-DynamoDBPITREnabled", "awsguard dynamodb-table-encryption-enabled"],
    description:
      "Tables use a customer-managed key, point-in-time recovery and TTL; production tables have deletion protection",
    enforcementLevel: "mandatory",
    remediation: "keep the ConversationTable settings; set deletionProtection: true in prod",
    types: ["aws:dynamodb/table:Table"],
    check: (p) => {
      const sse = (p.serverSideEncryption as Props | undefined) ?? {};
      return [
        ...(sse.enabled === true && str(sse.kmsKeyArn)
          ? []
          : ["the table is not encrypted with a CMK"]),
        ...((p.pointInTimeRecovery as Props | undefined)?.enabled === true
          ? []
          : ["point-in-time recovery is off"]),
        ...((p.ttl as Props | undefined)?.enabled === true
          ? []
          : ["TTL is off: conversation PHI is kept forever"]),
        ...(isProd(p) && p.deletionProtectionEnabled !== true
          ? ["a production table can be deleted"]
          : []),
      ];
    },
  }),
  resourcePolicy({
    name: "ecr-repository-secure",
    control: "F4",
    sources: ["compliance-policies aws-ecr-repository-*"],
    description: "Image repositories are immutable, scan on push and use a customer-managed key",
    enforcementLevel: "mandatory",
    remediation: "keep the RuntimeImage repository settings",
    types: ["aws:ecr/repository:Repository"],
    check: (p) => [
      ...(p.imageTagMutability === "IMMUTABLE" ? [] : ["image tags can be overwritten"]),
      ...((p.imageScanningConfiguration as Props | undefined)?.scanOnPush === true
        ? []
        : ["images are not scanned on push"]),
      ...(((p.encryptionConfigurations as Props[] | undefined) ?? []).some(
        (e) => e.encryptionType === "KMS",
      )
        ? []
        : ["the repository is not KMS-encrypted"]),
    ],
  }),
  resourcePolicy({
    name: "cloudtrail-trail-secure",
    control: "V2",
    sources: [
      "HIPAA.Security-CloudTrailEncryptionEnabled",
      "HIPAA.Security-CloudTrailLogFileValidationEnabled",
      "HIPAA.Security-CloudTrailCloudWatchLogsEnabled",
      "CKV_AWS_35",
      "CKV_AWS_36",
      "CKV_AWS_67",
    ],
    description: "Trails are multi-region, validated, KMS-encrypted and sent to CloudWatch Logs",
    enforcementLevel: "mandatory",
    remediation: "keep the AuditLogs trail settings (config createCloudTrail)",
    types: ["aws:cloudtrail/trail:Trail"],
    check: (p) => [
      ...(p.isMultiRegionTrail === true ? [] : ["the trail covers one region"]),
      ...(p.enableLogFileValidation === true ? [] : ["log file validation is off"]),
      ...(str(p.kmsKeyId) ? [] : ["the trail is not KMS-encrypted"]),
      ...(str(p.cloudWatchLogsGroupArn) ? [] : ["the trail does not reach CloudWatch Logs"]),
    ],
  }),

  // ------------------------------------------------------------------ network
  resourcePolicy({
    name: "vpc-default-security-group-closed",
    control: "V1",
    sources: ["HIPAA.Security-VPCDefaultSecurityGroupClosed", "CKV2_AWS_12"],
    description: "The default security group allows nothing",
    enforcementLevel: "mandatory",
    remediation: "declare the DefaultSecurityGroup with no rules (Network)",
    types: ["aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"],
    check: (p) =>
      ((p.ingress as unknown[] | undefined) ?? []).length +
        ((p.egress as unknown[] | undefined) ?? []).length >
      0
        ? ["the default security group has rules"]
        : [],
  }),
  resourcePolicy({
    name: "subnet-no-public-ip-on-launch",
    control: "F1",
    sources: ["HIPAA.Security-VPCSubnetAutoAssignPublicIpDisabled"],
    description: "Subnets do not give launched interfaces public IPs",
    enforcementLevel: "mandatory",
    remediation: "set mapPublicIpOnLaunch: false (Network)",
    types: ["aws:ec2/subnet:Subnet"],
    check: (p) => (p.mapPublicIpOnLaunch === true ? ["the subnet assigns public IPs"] : []),
  }),

  // ------------------------------------------------------------------ End User Messaging
  resourcePolicy({
    name: "phone-number-two-way-and-opt-outs",
    control: "U1",
    sources: ["AWS End User Messaging two-way-sms and opt-out docs"],
    description:
      "Numbers deliver two-way SMS to a topic, keep an explicit opt-out list, and are deletion-protected in prod",
    enforcementLevel: "mandatory",
    remediation: "keep the Messaging phone number settings; set deletionProtection: true in prod",
    types: ["aws:pinpoint/smsvoicev2PhoneNumber:Smsvoicev2PhoneNumber"],
    check: (p) => [
      ...(p.twoWayChannelEnabled === true && str(p.twoWayChannelArn)
        ? []
        : ["replies have nowhere to go (two-way off)"]),
      ...(str(p.optOutListName) ? [] : ["the number uses the shared Default opt-out list"]),
      ...(isProd(p) && p.deletionProtectionEnabled !== true
        ? ["a production number can be released"]
        : []),
    ],
  }),

  // ------------------------------------------------------------------ stack-wide
  stackPolicy({
    name: "every-alarm-has-an-action",
    control: "W1",
    sources: ["HIPAA.Security-CloudWatchAlarmAction", "CKV_AWS_319"],
    description: "Every alarm notifies someone",
    enforcementLevel: "mandatory",
    remediation:
      "create alarms through the Monitoring component, which wires them to the alarm topic",
    check: (resources) =>
      resources
        .filter((r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm")
        .filter(
          (r) =>
            asList(r.props.alarmActions as string[]).length === 0 ||
            r.props.actionsEnabled === false,
        )
        .map((r) => ({ message: `alarm ${r.name} has no action`, urn: r.urn })),
  }),
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
  stackPolicy({
    name: "alb-has-logged-web-acl",
    control: "A4",
    sources: [
      "NIST.800.53.R5-ALBWAFEnabled",
      "HIPAA.Security-WAFv2LoggingEnabled",
      "CKV2_AWS_28",
      "CKV2_AWS_31",
    ],
    description: "Every internet-facing ALB has a web ACL, and every web ACL logs",
    enforcementLevel: "mandatory",
    remediation: "associate the WebhookLoadBalancer web ACL and its logging configuration",
    check: (resources) => {
      const associations = resources.filter(
        (r) => r.type === "aws:wafv2/webAclAssociation:WebAclAssociation",
      );
      const logging = resources.filter(
        (r) => r.type === "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
      );
      const out: { message: string; urn: string }[] = [];
      for (const lb of resources.filter(
        (r) => r.type === "aws:lb/loadBalancer:LoadBalancer" && r.props.internal !== true,
      )) {
        if (!associations.some((a) => refersTo(a, "resourceArn", lb)))
          out.push({ message: `load balancer ${lb.name} has no web ACL`, urn: lb.urn });
      }
      for (const acl of resources.filter((r) => r.type === "aws:wafv2/webAcl:WebAcl")) {
        if (!logging.some((l) => refersTo(l, "resourceArn", acl)))
          out.push({ message: `web ACL ${acl.name} does not log`, urn: acl.urn });
      }
      return out;
    },
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
  stackPolicy({
    name: "secrets-rotated",
    control: "M1",
    sources: [
      "HIPAA.Security-SecretsManagerRotationEnabled",
      "AwsSolutions-SMG4",
      "CKV2_AWS_57",
      "CKV_AWS_304",
    ],
    description: "Secrets rotate on a schedule",
    enforcementLevel: "advisory",
    remediation:
      "add an aws.secretsmanager.SecretRotation per runtime secret (not built yet: the runtime would need to accept two tokens during a rotation)",
    check: (resources) => {
      const rotations = resources.filter(
        (r) => r.type === "aws:secretsmanager/secretRotation:SecretRotation",
      );
      return (
        resources
          .filter((r) => r.type === "aws:secretsmanager/secret:Secret")
          // A documented exception, for the auditor to read: the tag says why.
          .filter(
            (secret) => !(secret.props.tags as Record<string, string> | undefined)?.RotationExempt,
          )
          .filter((secret) => !rotations.some((rot) => refersTo(rot, "secretId", secret)))
          .map((secret) => ({ message: `secret ${secret.name} never rotates`, urn: secret.urn }))
      );
    },
  }),
  stackPolicy({
    name: "dynamodb-in-backup-plan",
    control: "D1",
    sources: ["HIPAA.Security-DynamoDBInBackupPlan"],
    description: "Tables are in an AWS Backup plan, beyond point-in-time recovery's 35 days",
    enforcementLevel: "advisory",
    remediation:
      "select the table in an aws.backup.Plan (not built yet: the stack relies on point-in-time recovery)",
    check: (resources) => {
      const selections = resources.filter((r) => r.type === "aws:backup/selection:Selection");
      return resources
        .filter((r) => r.type === "aws:dynamodb/table:Table")
        .filter(
          (table) =>
            !selections.some((sel) =>
              asList(sel.props.resources as string[]).includes(String(table.props.arn)),
            ),
        )
        .map((table) => ({ message: `table ${table.name} is in no backup plan`, urn: table.urn }));
    },
  }),
  stackPolicy({
    name: "buckets-locked-down",
    control: "A3",
    sources: [
      "HIPAA.Security-S3BucketLevelPublicAccessProhibited",
      "HIPAA.Security-S3BucketSSLRequestsOnly",
      "HIPAA.Security-S3BucketVersioningEnabled",
      "HIPAA.Security-S3DefaultEncryptionKMS",
      "CKV_AWS_145",
    ],
    description:
      "Every bucket blocks public access, is versioned, encrypted by default and reachable only over TLS",
    enforcementLevel: "mandatory",
    remediation: "create log buckets with the LogBucket component",
    check: (resources) => {
      const with_ = (type: string) => resources.filter((r) => r.type === type);
      const out: { message: string; urn: string }[] = [];
      for (const bucket of with_("aws:s3/bucket:Bucket")) {
        const about = (type: string) => with_(type).filter((r) => refersTo(r, "bucket", bucket));
        const pab = about("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")[0]?.props;
        if (
          !pab ||
          ![
            "blockPublicAcls",
            "blockPublicPolicy",
            "ignorePublicAcls",
            "restrictPublicBuckets",
          ].every((k) => pab[k] === true)
        ) {
          out.push({
            message: `bucket ${bucket.name} does not block all public access`,
            urn: bucket.urn,
          });
        }
        if (
          (
            about("aws:s3/bucketVersioning:BucketVersioning")[0]?.props.versioningConfiguration as
              Props | undefined
          )?.status !== "Enabled"
        ) {
          out.push({ message: `bucket ${bucket.name} is not versioned`, urn: bucket.urn });
        }
        if (
          about(
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
          ).length === 0
        ) {
          out.push({ message: `bucket ${bucket.name} has no default encryption`, urn: bucket.urn });
        }
        const policy = about("aws:s3/bucketPolicy:BucketPolicy")[0];
        if (!policy || !deniesInsecureTransport(statements(policy.props.policy))) {
          out.push({ message: `bucket ${bucket.name} accepts non-TLS requests`, urn: bucket.urn });
        }
      }
      return out;
    },
  }),
];

/** Policy name → the control it implements, for reports. */
export const controlOf = (name: string) => hipaaPolicies.find((p) => p.name === name)?.info;
