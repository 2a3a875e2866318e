/** IAM policies and roles. */
import {
  asList,
  principals,
  resourcePolicy,
  statements,
  type HipaaPolicy,
  type PeerRuleNote,
} from "../policyKit";

/** Actions that have no resource to scope to, so `Resource: "*"` is their only form. */
export const UNSCOPABLE_ACTIONS = [
  "ecr:GetAuthorizationToken",
  "sts:GetCallerIdentity",
  "logs:DescribeLogGroups",
];

export const iamPolicies: HipaaPolicy[] = [
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
];

export const iamNotes: PeerRuleNote[] = [
  ...["CKV_AWS_286", "CKV_AWS_287", "CKV_AWS_288", "CKV_AWS_289", "CKV_AWS_290"].map(
    (rule): PeerRuleNote => ({
      rule,
      status: "unguarded",
      reason:
        "every statement names its actions and scopes them to the stack's ARNs (iam-policy-least-privilege refuses wildcards), but no policy looks for the specific escalation, exposure or write patterns this check (cloudsplaining) knows",
    }),
  ),
  {
    rule: "CKV_AWS_274",
    status: "unguarded",
    reason:
      "roles carry the stack's own policies and AWS Backup's service-role policy, never AdministratorAccess; no policy checks attachments",
  },
  {
    rule: "CKV_AWS_393",
    status: "not-applicable",
    reason: "no role trusts a GitHub Actions OIDC provider: every trust is a service principal",
  },
];
