/** The VPC: its default security group and subnets. */
import { resourcePolicy, type HipaaPolicy, type PeerRuleNote } from "../policyKit";

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
    sources: ["HIPAA.Security-VPCSubnetAutoAssignPublicIpDisabled", "CKV_AWS_130"],
    description: "Subnets do not give launched interfaces public IPs",
    enforcementLevel: "mandatory",
    remediation: "set mapPublicIpOnLaunch: false (Network)",
    types: ["aws:ec2/subnet:Subnet"],
    check: (p) => (p.mapPublicIpOnLaunch === true ? ["the subnet assigns public IPs"] : []),
  }),
];

export const networkNotes: PeerRuleNote[] = [
  {
    rule: "CKV_AWS_23",
    status: "unguarded",
    reason: "security groups and their rules carry descriptions today; no policy checks them",
  },
  {
    rule: "CKV_AWS_382",
    status: "unguarded",
    reason:
      "no rule allows egress on every port: the tasks reach AWS APIs on 443 and the load balancer reaches the tasks on their port; no policy checks egress",
  },
  {
    rule: "CKV2_AWS_5",
    status: "unguarded",
    reason:
      "every security group the program makes is attached (load balancer, service, endpoints); no policy checks it",
  },
  {
    rule: "CKV2_AWS_19",
    status: "not-applicable",
    reason: "the only Elastic IP is the NAT gateway's, which the check counts as attached",
  },
  {
    rule: "CKV2_AWS_23",
    status: "unguarded",
    reason:
      "the only A record is an alias to the stack's own load balancer (hostedZoneId set); no policy checks it",
  },
];
