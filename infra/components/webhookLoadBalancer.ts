import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_API_KEY_HEADER, WEBHOOK_PATH } from "../../runtime/src/contract/runtimeContract";
import { secureDefaults } from "../secureDefaults";
import type { AwsContext } from "./awsContext";
import { LogBucket } from "./logBucket";

/**
 * A new task's V8 takes seconds to reach its optimized code (the image runs without Maglev): paced
 * at half its maximum rate, a fresh service answered its first 2 s at a p99 of 122-175 ms and was
 * steady (4-7 ms) after about 8 s (README, "Performance"). Slow start ramps a new target's share
 * of requests up over this time; 30 s is the least AWS allows. It applies only while another
 * target is healthy and out of slow start (a scale-out, a rolling deployment), and not with the
 * least-outstanding-requests algorithm, which this target group does not use
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-target-group-attributes.html#slow-start-mode).
 */
const TARGET_SLOW_START_SECONDS = 30;

/**
 * What agents call: the API, MCP (JSON-RPC over Streamable HTTP) and the A2A agent card. The
 * listener forwards them and the WAF treats them alike: the API rate rule (429) and the managed
 * rules, whose body rules fit JSON-RPC (JSON well under the 8 KB the ALB's WAF inspects).
 */
export const AGENT_PATHS = ["/v1/", "/mcp", "/.well-known/agent-card.json"] as const;

const webhookPath: aws.types.input.wafv2.WebAclRuleStatementRateBasedStatementScopeDownStatement = {
  byteMatchStatement: {
    fieldToMatch: { uriPath: {} },
    positionalConstraint: "STARTS_WITH",
    searchString: WEBHOOK_PATH,
    textTransformations: [{ priority: 0, type: "NONE" }],
  },
};

function rateRule(
  name: string,
  priority: number,
  limit: number,
  scopeDownStatement: aws.types.input.wafv2.WebAclRuleStatementRateBasedStatementScopeDownStatement,
  responseCode: number,
): aws.types.input.wafv2.WebAclRule {
  return {
    name,
    priority,
    action: { block: { customResponse: { responseCode } } },
    statement: {
      rateBasedStatement: {
        limit,
        aggregateKeyType: "IP",
        evaluationWindowSec: 300,
        scopeDownStatement,
      },
    },
    visibilityConfig: {
      cloudwatchMetricsEnabled: true,
      metricName: name,
      sampledRequestsEnabled: false,
    },
  };
}

export interface WebhookLoadBalancerArgs {
  context: AwsContext;
  vpcId: pulumi.Input<string>;
  publicSubnetIds: pulumi.Input<string>[];
  certificateArn: string;
  containerPort: number;
  ingressCidrs: string[];
  deletionProtection: boolean;
  accessLogRetentionDays: number;
  wafRateLimit: number;
  wafLogGroupArn: pulumi.Input<string>;
  /** The zone of domainName: the alias record must exist before SNS confirms the subscription. */
  hostedZoneId: string;
  domainName: string;
}

/**
 * The public HTTPS entry that SNS, EventBridge and agents reach (A1–A5): an ALB with an ACM
 * certificate and a TLS 1.2+ policy, no port 80 at all, invalid headers dropped, strictest
 * desync mitigation, access logs to a locked-down bucket, and a logged WAF web ACL with a rate
 * rule and AWS managed rules. The ALB must be internet-facing: SNS and EventBridge deliver from
 * AWS's public address space, so `ingressCidrs` defaults to 0.0.0.0/0 with WAF and the
 * webhook's own authentication in front of the service.
 */
export class WebhookLoadBalancer extends pulumi.ComponentResource {
  readonly loadBalancer: aws.lb.LoadBalancer;
  readonly targetGroup: aws.lb.TargetGroup;
  readonly httpsListener: aws.lb.Listener;
  readonly securityGroup: aws.ec2.SecurityGroup;
  readonly webAcl: aws.wafv2.WebAcl;
  readonly accessLogBucket: aws.s3.Bucket;
  /** domainName's alias to the ALB; the SNS subscription waits for it. */
  readonly dnsRecord: aws.route53.Record;

  constructor(
    name: string,
    args: WebhookLoadBalancerArgs,
    opts: pulumi.ComponentResourceOptions = {},
  ) {
    super("eum-sms:service:WebhookLoadBalancer", name, {}, opts);
    const { tags, namePrefix } = args.context;

    const accessLogs = this.createAccessLogBucket(name, args);
    this.accessLogBucket = accessLogs.bucket;

    this.securityGroup = new aws.ec2.SecurityGroup(
      `${name}-sg`,
      { vpcId: args.vpcId, description: "Webhook ALB: HTTPS in, the tasks' port out", tags },
      { parent: this },
    );
    // HTTPS only (CKV_AWS_260): every caller (SNS, EventBridge, agents) is configured with an
    // https:// URL, so a port-80 redirect served no one and was the only other world-open port.
    args.ingressCidrs.forEach((cidr, i) => {
      new aws.vpc.SecurityGroupIngressRule(
        `${name}-in-443-${i}`,
        {
          securityGroupId: this.securityGroup.id,
          ipProtocol: "tcp",
          fromPort: 443,
          toPort: 443,
          cidrIpv4: cidr,
          description: "HTTPS to the webhook and agent API",
          tags,
        },
        { parent: this },
      );
    });

    this.loadBalancer = new aws.lb.LoadBalancer(
      `${name}-alb`,
      {
        name: `${namePrefix}-alb`.slice(0, 32),
        loadBalancerType: "application",
        internal: false,
        subnets: args.publicSubnetIds,
        securityGroups: [this.securityGroup.id],
        dropInvalidHeaderFields: secureDefaults.albDropInvalidHeaderFields,
        desyncMitigationMode: secureDefaults.albDesyncMitigationMode,
        enableDeletionProtection: args.deletionProtection,
        idleTimeout: secureDefaults.albIdleTimeoutSeconds,
        accessLogs: { bucket: this.accessLogBucket.id, enabled: true, prefix: "alb" },
        tags,
      },
      // ELB checks it may write to the bucket when access logging is switched on ("Access Denied
      // for bucket" otherwise), so the bucket policy must exist first.
      { parent: this, dependsOn: [accessLogs.policy] },
    );

    this.targetGroup = new aws.lb.TargetGroup(
      `${name}-tg`,
      {
        vpcId: args.vpcId,
        targetType: "ip",
        protocol: "HTTP",
        port: args.containerPort,
        deregistrationDelay: secureDefaults.targetDeregistrationDelaySeconds,
        slowStart: TARGET_SLOW_START_SECONDS,
        healthCheck: {
          path: "/readyz",
          matcher: "200",
          interval: 15,
          timeout: 5,
          healthyThreshold: 2,
          unhealthyThreshold: 3,
        },
        tags,
      },
      { parent: this },
    );

    this.httpsListener = new aws.lb.Listener(
      `${name}-https`,
      {
        loadBalancerArn: this.loadBalancer.arn,
        port: 443,
        protocol: "HTTPS",
        certificateArn: args.certificateArn,
        sslPolicy: secureDefaults.albSslPolicy,
        routingHttpResponseStrictTransportSecurityHeaderValue:
          "max-age=31536000; includeSubDomains",
        defaultActions: [{ type: "forward", targetGroupArn: this.targetGroup.arn }],
        tags,
      },
      { parent: this },
    );
    this.webAcl = new aws.wafv2.WebAcl(
      `${name}-waf`,
      {
        name: `${namePrefix}-webhook`,
        scope: "REGIONAL",
        description:
          "Rate limit and AWS managed rules in front of the SMS webhook, agent API and MCP",
        defaultAction: { allow: {} },
        rules: [
          // Over the limit, the webhook answers 503 (SNS and EventBridge retry it; a 4xx would
          // count as delivered and lose the message) and the agent API answers 429.
          rateRule("rate-limit-webhook", 0, args.wafRateLimit, webhookPath, 503),
          rateRule(
            "rate-limit-api",
            1,
            args.wafRateLimit,
            { notStatement: { statement: webhookPath } },
            429,
          ),
          ...secureDefaults.wafManagedRuleGroups.map((group, i) => ({
            name: group,
            priority: i + 2,
            overrideAction: { none: {} },
            statement: {
              managedRuleGroupStatement: {
                vendorName: "AWS",
                name: group,
                // Not on the webhook: a patient's reply is free text ("<b>yes</b>" would trip the
                // XSS rules), SNS counts a 4xx as delivered and EventBridge does not retry one, so
                // a block there loses the message. The webhook authenticates every request itself
                // (signature or API key) and stays under the rate rule.
                scopeDownStatement: { notStatement: { statement: webhookPath } },
              },
            },
            // Sampled requests would keep request bodies (PHI) in the WAF console.
            visibilityConfig: {
              cloudwatchMetricsEnabled: true,
              metricName: group,
              sampledRequestsEnabled: false,
            },
          })),
        ],
        visibilityConfig: {
          cloudwatchMetricsEnabled: true,
          metricName: `${namePrefix}-webhook`,
          sampledRequestsEnabled: false,
        },
        tags,
      },
      { parent: this },
    );
    new aws.wafv2.WebAclAssociation(
      `${name}-waf-association`,
      { resourceArn: this.loadBalancer.arn, webAclArn: this.webAcl.arn },
      { parent: this },
    );
    new aws.wafv2.WebAclLoggingConfiguration(
      `${name}-waf-logging`,
      {
        resourceArn: this.webAcl.arn,
        logDestinationConfigs: [args.wafLogGroupArn],
        redactedFields: [
          { singleHeader: { name: "authorization" } },
          { singleHeader: { name: DEFAULT_API_KEY_HEADER } },
        ],
      },
      { parent: this },
    );

    this.dnsRecord = new aws.route53.Record(
      `${name}-dns`,
      {
        zoneId: args.hostedZoneId,
        name: args.domainName,
        type: "A",
        aliases: [
          {
            name: this.loadBalancer.dnsName,
            zoneId: this.loadBalancer.zoneId,
            evaluateTargetHealth: true,
          },
        ],
      },
      { parent: this },
    );
    this.registerOutputs({ dnsName: this.loadBalancer.dnsName, webAclArn: this.webAcl.arn });
  }

  /** A3: SSE-S3, because ALB log delivery supports no KMS key; expires with the log retention. */
  private createAccessLogBucket(name: string, args: WebhookLoadBalancerArgs): LogBucket {
    const elbAccount = aws.elb.getServiceAccountOutput({}, { parent: this });
    const logBucket = new LogBucket(
      `${name}-access-logs`,
      {
        forceDestroy: !args.deletionProtection,
        expireAfterDays: args.accessLogRetentionDays,
        tags: args.context.tags,
        writers: (bucketArn) => {
          const logs = pulumi.interpolate`${bucketArn}/alb/AWSLogs/${args.context.accountId}/*`;
          return [
            // Regions from August 2022 deliver as a service principal; older ones as the ELB account.
            {
              sid: "AlbLogDeliveryService",
              principals: [
                {
                  type: "Service",
                  identifiers: ["logdelivery.elasticloadbalancing.amazonaws.com"],
                },
              ],
              actions: ["s3:PutObject"],
              resources: [logs],
            },
            {
              sid: "AlbLogDeliveryAccount",
              principals: [{ type: "AWS", identifiers: [elbAccount.arn] }],
              actions: ["s3:PutObject"],
              resources: [logs],
            },
          ];
        },
      },
      { parent: this },
    );
    return logBucket;
  }
}
