/** The webhook's load balancer: listeners, attributes, its web ACL and its security group. */
import {
  asList,
  isProd,
  refersTo,
  resourcePolicy,
  stackPolicy,
  type HipaaPolicy,
  type PeerRuleNote,
  str,
  type Props,
} from "../policyKit";

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

export const loadBalancerPolicies: HipaaPolicy[] = [
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
    sources: ["CKV_AWS_175", "CKV_AWS_342"],
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
    sources: [
      "HIPAA.Security-EC2RestrictedCommonPorts",
      "HIPAA.Security-EC2RestrictedSSH",
      "AwsSolutions-EC23",
      "CKV_AWS_24",
      "CKV_AWS_25",
      "CKV_AWS_277",
      "CKV_AWS_260",
    ],
    description: "Nothing is open to the internet but HTTPS on the load balancer",
    enforcementLevel: "mandatory",
    remediation:
      "open only 443 to ingressCidrs on the ALB (every caller uses HTTPS); reach tasks through the ALB security group",
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
        .filter((r) => !(r.from === 443 && r.to === 443))
        .map((r) => `ports ${r.from}-${r.to} are open to the internet`);
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
];

export const loadBalancerNotes: PeerRuleNote[] = [
  {
    rule: "CKV_AWS_192",
    status: "unguarded",
    reason:
      "the web ACL carries AWSManagedRulesKnownBadInputsRuleSet (secureDefaults.wafManagedRuleGroups), scoped off the webhook path, which authenticates every request itself; waf-rate-limit-and-managed-rules checks that a managed group exists, not which one",
  },
  {
    rule: "CKV_AWS_152",
    status: "not-applicable",
    reason:
      "cross-zone load balancing is a setting of network and gateway load balancers; an application load balancer always balances across zones",
  },
  {
    rule: "CKV_AWS_261",
    status: "unguarded",
    reason:
      "the target group checks the runtime's health path (WebhookLoadBalancer), but no policy checks that a health check is defined (control F5)",
  },
  {
    rule: "CKV_AWS_378",
    status: "waived",
    reason:
      "TLS ends at the load balancer, which forwards HTTP to tasks in private subnets that only its security group can reach; re-encrypting inside the VPC adds a certificate to every task for no reader who could see the traffic",
  },
  {
    rule: "CKV2_AWS_76",
    status: "unguarded",
    reason:
      "the web ACL carries AWS managed rule groups (secureDefaults.wafManagedRuleGroups), scoped off the webhook path; waf-rate-limit-and-managed-rules checks that a managed group exists, not which one",
  },
];
