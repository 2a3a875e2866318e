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
  /** Conditions beyond aws:SourceAccount, e.g. aws:SourceArn (I3). */
  extraTrustConditions?: Condition[];
  statements: Statement[];
  tags: Record<string, string>;
}

/**
 * A role one AWS service assumes for this account only (I3), with a customer-managed policy
 * attached rather than an inline one (I2).
 */
export function createServiceRole(
  args: ServiceRoleArgs,
  opts: pulumi.CustomResourceOptions,
): aws.iam.Role {
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
  new aws.iam.RolePolicyAttachment(
    args.policyName,
    { role: role.name, policyArn: policy.arn },
    opts,
  );
  return role;
}
