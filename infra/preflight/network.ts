import { DescribeSubnetsCommand, DescribeVpcsCommand, type EC2Client } from "@aws-sdk/client-ec2";
import {
  GetAWSDefaultServiceQuotaCommand,
  GetServiceQuotaCommand,
  type ServiceQuotasClient,
} from "@aws-sdk/client-service-quotas";
import type { StackConfig } from "../stackConfig";
import { couldNotCheck, errorName, missing, ok, type Finding } from "./finding";

/** Service Quotas' code for "VPCs per Region" (service code vpc). */
export const VPCS_PER_REGION = { ServiceCode: "vpc", QuotaCode: "L-F678F1CE" } as const;

/** An existing VPC (vpcId, publicSubnetIds, privateSubnetIds) must exist as configured. */
export async function checkExistingVpc(ec2: EC2Client, config: StackConfig): Promise<Finding[]> {
  const network = config.network;
  if (network.kind !== "existing") return [];
  const CHECK = "existing VPC";
  try {
    const vpcs = await ec2.send(
      new DescribeVpcsCommand({ Filters: [{ Name: "vpc-id", Values: [network.vpcId] }] }),
    );
    if ((vpcs.Vpcs ?? []).length === 0) {
      return [
        missing(
          CHECK,
          `no VPC ${network.vpcId} in ${config.region}`,
          "set vpcId to a VPC of this account and region (aws ec2 describe-vpcs), or unset vpcId, publicSubnetIds and privateSubnetIds to let the stack create one",
        ),
      ];
    }
    const ids = [...network.publicSubnetIds, ...network.privateSubnetIds];
    const subnets =
      (
        await ec2.send(
          new DescribeSubnetsCommand({ Filters: [{ Name: "subnet-id", Values: ids }] }),
        )
      ).Subnets ?? [];
    const byId = new Map(subnets.map((s) => [s.SubnetId, s]));
    const findings: Finding[] = [];
    for (const [key, list] of [
      ["publicSubnetIds", network.publicSubnetIds],
      ["privateSubnetIds", network.privateSubnetIds],
    ] as const) {
      const absent = list.filter((id) => byId.get(id)?.VpcId !== network.vpcId);
      if (absent.length > 0) {
        findings.push(
          missing(
            CHECK,
            `${key}: ${absent.join(", ")} not found in ${network.vpcId}`,
            `set ${key} to subnets of ${network.vpcId} (aws ec2 describe-subnets --filters Name=vpc-id,Values=${network.vpcId})`,
          ),
        );
        continue;
      }
      // The load balancer and the service each span at least two Availability Zones.
      const zones = new Set(list.map((id) => byId.get(id)?.AvailabilityZone));
      if (zones.size < 2) {
        findings.push(
          missing(
            CHECK,
            `${key} are all in one Availability Zone`,
            `set ${key} to subnets in at least two Availability Zones`,
          ),
        );
      }
    }
    return findings.length > 0
      ? findings
      : [ok(CHECK, `${network.vpcId} with its ${ids.length} subnets, across two or more zones`)];
  } catch (err) {
    return [couldNotCheck(CHECK, "ec2:DescribeVpcs and ec2:DescribeSubnets", err)];
  }
}

/** A stack that creates its VPC needs room under the account's VPCs-per-Region quota. */
export async function checkVpcQuota(
  ec2: EC2Client,
  quotas: ServiceQuotasClient,
  config: StackConfig,
): Promise<Finding[]> {
  if (config.network.kind !== "create") return [];
  const CHECK = "quota: VPCs per Region";
  let limit: number | undefined;
  try {
    limit = (await quotas.send(new GetServiceQuotaCommand(VPCS_PER_REGION))).Quota?.Value;
  } catch (err) {
    // No applied value: the account has the default.
    if (errorName(err) !== "NoSuchResourceException")
      return [couldNotCheck(CHECK, "servicequotas:GetServiceQuota", err)];
    try {
      limit = (await quotas.send(new GetAWSDefaultServiceQuotaCommand(VPCS_PER_REGION))).Quota
        ?.Value;
    } catch (inner) {
      return [couldNotCheck(CHECK, "servicequotas:GetAWSDefaultServiceQuota", inner)];
    }
  }
  let used = 0;
  try {
    let token: string | undefined;
    do {
      const page = await ec2.send(new DescribeVpcsCommand({ NextToken: token }));
      used += (page.Vpcs ?? []).length;
      token = page.NextToken;
    } while (token);
  } catch (err) {
    return [couldNotCheck(CHECK, "ec2:DescribeVpcs", err)];
  }
  if (limit === undefined)
    return [couldNotCheck(CHECK, "servicequotas:GetServiceQuota", "no value")];
  if (used + 1 > limit) {
    return [
      missing(
        CHECK,
        `${used} of ${limit} VPCs in ${config.region} are in use; the stack creates one more`,
        `delete an unused VPC, request an increase (aws service-quotas request-service-quota-increase --region ${config.region} --service-code vpc --quota-code ${VPCS_PER_REGION.QuotaCode} --desired-value ${used + 1}), or set vpcId and its subnets to use an existing VPC`,
      ),
    ];
  }
  return [ok(CHECK, `${used} of ${limit} in use, room for the stack's VPC`)];
}
