/** The VPC: its default security group and subnets. */
import { resourcePolicy, type HipaaPolicy } from "../policyKit";

export const networkPolicies: HipaaPolicy[] = [
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
];
