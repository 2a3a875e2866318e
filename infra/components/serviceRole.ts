import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

type Statement = aws.types.input.iam.GetPolicyDocumentStatementArgs;
type Condition = aws.types.input.iam.GetPolicyDocumentStatementConditionArgs;

export interface ServiceRoleArgs {
  /** Logical names: the role is `${name}-role`, its policy and attachment `${policyName}`. */
  name: string;
  policyName: string;
  description: string;
  /** The AWS service that assumes the role, e.g. vpc-flow-logs.amazonaws.com. */
  service: string;
  accountId: pulumi.Input<string>;
  /**
   * Conditions beyond aws:SourceAccount, e.g. aws:SourceArn (I3).
   * @default none: aws:SourceAccount only
   */
  extraTrustConditions?: Condition[];
  statements: Statement[];
  tags: Record<string, string>;
}

/** A service role with what makes it usable: wait on `ready`, not on the role alone. */
export interface ServiceRole {
  role: aws.iam.Role;
  policy: aws.iam.Policy;
  attachment: aws.iam.RolePolicyAttachment;
  /** The role and its policy attachment: a resource that assumes the role depends on both. */
  ready: pulumi.Resource[];
}

/**
 * A role one AWS service assumes for this account only (I3), with a customer-managed policy
 * attached rather than an inline one (I2). Returned with its policy and attachment (as
 * pulumi-eks's `resolvedRole`): a role without its attachment can be assumed before it may do
 * anything, and the first task or delivery fails.
 */
export function provisionServiceRole(
  args: ServiceRoleArgs,
  opts: pulumi.CustomResourceOptions,
): ServiceRole {
  const role = new aws.iam.Role(
    `${args.name}-role`,
    {
      description: args.description,
      assumeRolePolicy: aws.iam.getPolicyDocumentOutput({
        statements: [
          {
            actions: ["sts:AssumeRole"],
            principals: [{ type: "Service", identifiers: [args.service] }],
            conditions: [
              { test: "StringEquals", variable: "aws:SourceAccount", values: [args.accountId] },
              ...(args.extraTrustConditions ?? []),
            ],
          },
        ],
      }).json,
      tags: args.tags,
    },
    opts,
  );
  const policy = new aws.iam.Policy(
    args.policyName,
    {
      description: args.description,
      policy: aws.iam.getPolicyDocumentOutput({ statements: args.statements }).json,
      tags: args.tags,
    },
    opts,
  );
  const attachment = new aws.iam.RolePolicyAttachment(
    args.policyName,
    { role: role.name, policyArn: policy.arn },
    opts,
  );
  return { role, policy, attachment, ready: [role, attachment] };
}

/**
 * The role alone, for callers not yet moved to `provisionServiceRole` (auditLogs.ts and
 * eventRouting.ts, owned elsewhere during the refactor); remove once they are.
 */
export function createServiceRole(
  args: ServiceRoleArgs,
  opts: pulumi.CustomResourceOptions,
): aws.iam.Role {
  return provisionServiceRole(args, opts).role;
}
