import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { NetworkArgs } from "./network";
import { provisionServiceRole } from "./serviceRole";

/**
 * Flow logs of all the VPC's traffic to the encrypted flow log group (V1), with the role the
 * flow-log service writes through; for a created VPC and for an existing one alike. Children of
 * `parent` (Network), so names and URNs are those they had inside its constructor.
 */
export function createFlowLog(
  name: string,
  args: NetworkArgs & { vpcId: pulumi.Input<string> },
  parent: pulumi.Resource,
): aws.ec2.FlowLog {
  const { tags, accountId } = args.context;
  const flowRole = provisionServiceRole(
    {
      name: `${name}-flow`,
      policyName: `${name}-flow-logs`,
      description: "VPC flow logs write to their log group",
      service: "vpc-flow-logs.amazonaws.com",
      accountId,
      statements: [
        {
          actions: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
          resources: [args.flowLogGroupArn, pulumi.interpolate`${args.flowLogGroupArn}:*`],
        },
      ],
      tags,
    },
    { parent },
  );
  return new aws.ec2.FlowLog(
    `${name}-flow-log`,
    {
      vpcId: args.vpcId,
      trafficType: "ALL",
      logDestinationType: "cloud-watch-logs",
      logDestination: args.flowLogGroupArn,
      iamRoleArn: flowRole.role.arn,
      tags,
    },
    { parent, dependsOn: flowRole.ready },
  );
}
