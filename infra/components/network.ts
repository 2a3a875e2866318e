import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../stackConfig";
import type { AwsContext } from "./awsContext";
import { createFlowLog } from "./flowLog";

export interface NetworkArgs {
  context: AwsContext;
  /** Create a VPC or use one; the defaults (CIDR, NAT, endpoints) are in infra/stackDefaults.ts. */
  network: StackConfig["network"];
  flowLogGroupArn: pulumi.Input<string>;
}

/**
 * Interface endpoints that keep the task's AWS traffic inside the VPC (V1), as the service-name
 * suffix after `com.amazonaws.<region>.`. End User Messaging's PrivateLink service is
 * `pinpoint-sms-voice-v2`, not its API host name `sms-voice` (no endpoint service has that name):
 * https://docs.aws.amazon.com/sms-voice/latest/userguide/vpc-interface-endpoints.html and
 * https://docs.aws.amazon.com/vpc/latest/privatelink/aws-services-privatelink-support.html.
 * No `sns` endpoint: the runtime makes no SNS API call, and with private DNS an SNS endpoint would
 * also take the runtime's fetches of SNS signing certificates and SubscribeURLs, which it is not
 * documented to serve; those go out through the NAT gateway.
 */
export const INTERFACE_ENDPOINTS = [
  "ecr.api",
  "ecr.dkr",
  "logs",
  "secretsmanager",
  "pinpoint-sms-voice-v2",
  // The outbound queue (issue 12): the worker's SQS calls and the runtime's one-time schedules.
  "sqs",
  "scheduler",
];

/**
 * The VPC (V1, F1): two AZs, public subnets for the ALB only, private subnets for tasks (no
 * public IPs), the default security group closed, flow logs of all traffic to an encrypted log
 * group, gateway endpoints for S3 and DynamoDB, optionally interface endpoints and a NAT gateway.
 * With `existing`, only the flow log is added to a VPC the platform team owns.
 */
export class Network extends pulumi.ComponentResource {
  readonly vpcId: pulumi.Output<string>;
  readonly publicSubnetIds: pulumi.Output<string>[];
  readonly privateSubnetIds: pulumi.Output<string>[];
  readonly vpcCidr: pulumi.Output<string>;

  constructor(name: string, args: NetworkArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("eum-sms:network:Network", name, {}, opts);
    const { tags, region } = args.context;
    const net = args.network;

    if (net.kind === "existing") {
      this.vpcId = pulumi.output(net.vpcId);
      this.publicSubnetIds = net.publicSubnetIds.map((id) => pulumi.output(id));
      this.privateSubnetIds = net.privateSubnetIds.map((id) => pulumi.output(id));
      this.vpcCidr = aws.ec2.getVpcOutput({ id: net.vpcId }, { parent: this }).cidrBlock;
    } else {
      const vpc = new aws.ec2.Vpc(
        `${name}-vpc`,
        {
          cidrBlock: net.cidr,
          enableDnsHostnames: true,
          enableDnsSupport: true,
          tags: { ...tags, Name: name },
        },
        { parent: this },
      );
      this.vpcId = vpc.id;
      this.vpcCidr = vpc.cidrBlock;
      // Nothing may use the default security group: no rules at all.
      new aws.ec2.DefaultSecurityGroup(
        `${name}-default-sg`,
        { vpcId: vpc.id, tags },
        { parent: this },
      );
      const azs = aws.getAvailabilityZonesOutput({ state: "available" }, { parent: this }).names;
      const igw = new aws.ec2.InternetGateway(
        `${name}-igw`,
        { vpcId: vpc.id, tags },
        { parent: this },
      );
      const publicRoutes = new aws.ec2.RouteTable(
        `${name}-public-rt`,
        { vpcId: vpc.id, tags },
        { parent: this },
      );
      new aws.ec2.Route(
        `${name}-public-default`,
        { routeTableId: publicRoutes.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id },
        { parent: this },
      );

      const [a, b, c, d] = subnetCidrs(net.cidr);
      const publicSubnets = [a, b].map((cidr, i) => {
        const subnet = new aws.ec2.Subnet(
          `${name}-public-${i}`,
          {
            vpcId: vpc.id,
            cidrBlock: cidr,
            availabilityZone: azs.apply((z) => z[i] as string),
            mapPublicIpOnLaunch: false,
            tags: { ...tags, Name: `${name}-public-${i}`, Tier: "public" },
          },
          { parent: this },
        );
        new aws.ec2.RouteTableAssociation(
          `${name}-public-${i}`,
          { subnetId: subnet.id, routeTableId: publicRoutes.id },
          { parent: this },
        );
        return subnet;
      });
      const nat = net.natGateway
        ? new aws.ec2.NatGateway(
            `${name}-nat`,
            {
              subnetId: publicSubnets[0]!.id,
              allocationId: new aws.ec2.Eip(
                `${name}-nat-ip`,
                { domain: "vpc", tags },
                { parent: this },
              ).id,
              tags,
            },
            { parent: this },
          )
        : undefined;
      const privateRoutes = new aws.ec2.RouteTable(
        `${name}-private-rt`,
        { vpcId: vpc.id, tags },
        { parent: this },
      );
      if (nat) {
        new aws.ec2.Route(
          `${name}-private-default`,
          {
            routeTableId: privateRoutes.id,
            destinationCidrBlock: "0.0.0.0/0",
            natGatewayId: nat.id,
          },
          { parent: this },
        );
      }
      const privateSubnets = [c, d].map((cidr, i) => {
        const subnet = new aws.ec2.Subnet(
          `${name}-private-${i}`,
          {
            vpcId: vpc.id,
            cidrBlock: cidr,
            availabilityZone: azs.apply((z) => z[i] as string),
            mapPublicIpOnLaunch: false,
            tags: { ...tags, Name: `${name}-private-${i}`, Tier: "private" },
          },
          { parent: this },
        );
        new aws.ec2.RouteTableAssociation(
          `${name}-private-${i}`,
          { subnetId: subnet.id, routeTableId: privateRoutes.id },
          { parent: this },
        );
        return subnet;
      });
      this.publicSubnetIds = publicSubnets.map((s) => s.id);
      this.privateSubnetIds = privateSubnets.map((s) => s.id);

      for (const service of ["s3", "dynamodb"]) {
        new aws.ec2.VpcEndpoint(
          `${name}-${service}`,
          {
            vpcId: vpc.id,
            serviceName: `com.amazonaws.${region}.${service}`,
            vpcEndpointType: "Gateway",
            routeTableIds: [privateRoutes.id],
            tags,
          },
          { parent: this },
        );
      }
      if (net.vpcEndpoints) {
        const endpointSg = new aws.ec2.SecurityGroup(
          `${name}-endpoints-sg`,
          {
            vpcId: vpc.id,
            description: "HTTPS from inside the VPC to AWS interface endpoints",
            tags,
          },
          { parent: this },
        );
        new aws.vpc.SecurityGroupIngressRule(
          `${name}-endpoints-https`,
          {
            securityGroupId: endpointSg.id,
            ipProtocol: "tcp",
            fromPort: 443,
            toPort: 443,
            cidrIpv4: vpc.cidrBlock,
            description: "HTTPS from the VPC",
            tags,
          },
          { parent: this },
        );
        for (const service of INTERFACE_ENDPOINTS) {
          new aws.ec2.VpcEndpoint(
            `${name}-${service.replace(".", "-")}`,
            {
              vpcId: vpc.id,
              serviceName: `com.amazonaws.${region}.${service}`,
              vpcEndpointType: "Interface",
              privateDnsEnabled: true,
              subnetIds: this.privateSubnetIds,
              securityGroupIds: [endpointSg.id],
              tags,
            },
            { parent: this },
          );
        }
      }
    }

    createFlowLog(name, { ...args, vpcId: this.vpcId }, this);

    this.registerOutputs({ vpcId: this.vpcId });
  }
}

/** Four equal subnets of the VPC (two public, two private), each a quarter of it. */
export function subnetCidrs(vpcCidr: string): [string, string, string, string] {
  const [base, bitsText] = vpcCidr.split("/") as [string, string];
  const bits = Number(bitsText);
  const start = base.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
  const size = 2 ** (32 - bits - 2);
  const toIp = (n: number) =>
    [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");
  return [0, 1, 2, 3].map((i) => `${toIp(start + i * size)}/${bits + 2}`) as [
    string,
    string,
    string,
    string,
  ];
}
