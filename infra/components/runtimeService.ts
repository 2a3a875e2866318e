import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { secureDefaults } from "../secureDefaults";
import type { StackConfig } from "../stackConfig";
import {
  type DeployedEnvironmentName,
  type DeployedSecretName,
} from "../../runtime/src/contract/runtimeContract";
import type { AwsContext } from "./awsContext";
import { CONTAINER_NAME, CONTAINER_PORT, runtimeContainerDefinitions } from "./runtimeContainer";
import { createRuntimeRoles } from "./runtimeRoles";

export { CONTAINER_NAME, CONTAINER_PORT } from "./runtimeContainer";

export interface RuntimeServiceArgs {
  context: AwsContext;
  vpcId: pulumi.Input<string>;
  privateSubnetIds: pulumi.Input<string>[];
  albSecurityGroupId: pulumi.Input<string>;
  targetGroupArn: pulumi.Input<string>;
  imageRef: pulumi.Input<string>;
  /**
   * The ECR repository the execution role may pull from.
   * @default none: no ECR permissions (an image outside this account's ECR)
   */
  repositoryArn?: pulumi.Input<string>;
  /** CPU, memory and task counts; their defaults are the stack's (infra/stackDefaults.ts). */
  sizes: StackConfig["service"];
  logGroupName: pulumi.Input<string>;
  logGroupArn: pulumi.Input<string>;
  /** Non-secret runtime settings, as the runtime's environment variables. */
  environment: Record<DeployedEnvironmentName, pulumi.Input<string>>;
  /** Secret runtime settings: env name → Secrets Manager secret ARN. */
  secrets: Record<DeployedSecretName, pulumi.Input<string>>;
  secretsKeyArn: pulumi.Input<string>;
  send: {
    phoneNumberArn: pulumi.Input<string>;
    configurationSetArn: pulumi.Input<string>;
    /** The number's opt-out list, which the runtime reads for `get_opt_out_status`. */
    optOutListArn: pulumi.Input<string>;
  };
  table: { arn: pulumi.Input<string>; kmsKeyArn: pulumi.Input<string> };
  /** The restricted group the runtime writes audit events to (write-only for the task). */
  auditLogGroupArn: pulumi.Input<string>;
  /**
   * The outbound queue (issue 12): the send queue and its CMK, the schedules the runtime may
   * create, delete and read (an ARN pattern of one group), and the role it passes to Scheduler.
   */
  outbound: {
    queueArn: pulumi.Input<string>;
    kmsKeyArn: pulumi.Input<string>;
    scheduleArns: pulumi.Input<string>;
    schedulerRoleArn: pulumi.Input<string>;
  };
  /** Rotated secrets the runtime re-reads itself (AWSCURRENT/AWSPREVIOUS), issue 14. */
  rotatedSecretArns?: pulumi.Input<string>[];
}

/**
 * The runtime on ECS Fargate (F1–F5): a Container Insights cluster; a task that runs as a non-root
 * user on a read-only root filesystem with secrets from Secrets Manager; a task role that may only
 * send from this number and configuration set and use this table, and a separate execution role
 * that may only pull this image, write this log group and read these secrets; a service in
 * private subnets without public IPs, behind the ALB, with a rolling-back circuit breaker and CPU
 * autoscaling.
 */
export class RuntimeService extends pulumi.ComponentResource {
  readonly cluster: aws.ecs.Cluster;
  readonly service: aws.ecs.Service;
  readonly taskDefinition: aws.ecs.TaskDefinition;
  readonly taskRole: aws.iam.Role;
  readonly executionRole: aws.iam.Role;
  readonly securityGroup: aws.ec2.SecurityGroup;

  constructor(name: string, args: RuntimeServiceArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("eum-sms:service:RuntimeService", name, {}, opts);
    const { tags, namePrefix } = args.context;

    this.cluster = new aws.ecs.Cluster(
      `${name}-cluster`,
      {
        name: namePrefix,
        settings: [{ name: "containerInsights", value: "enabled" }],
        tags,
      },
      { parent: this },
    );

    const roles = createRuntimeRoles(name, args, this);
    this.taskRole = roles.task.role;
    this.executionRole = roles.execution.role;

    this.taskDefinition = new aws.ecs.TaskDefinition(
      `${name}-task`,
      {
        family: `${namePrefix}-runtime`,
        requiresCompatibilities: ["FARGATE"],
        networkMode: "awsvpc",
        cpu: String(args.sizes.cpu),
        memory: String(args.sizes.memory),
        runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
        taskRoleArn: this.taskRole.arn,
        executionRoleArn: this.executionRole.arn,
        containerDefinitions: runtimeContainerDefinitions(args),
        tags,
      },
      { parent: this },
    );

    this.securityGroup = new aws.ec2.SecurityGroup(
      `${name}-sg`,
      { vpcId: args.vpcId, description: "SMS runtime tasks: the ALB in, HTTPS out", tags },
      { parent: this },
    );
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-from-alb`,
      {
        securityGroupId: this.securityGroup.id,
        referencedSecurityGroupId: args.albSecurityGroupId,
        ipProtocol: "tcp",
        fromPort: CONTAINER_PORT,
        toPort: CONTAINER_PORT,
        description: "From the webhook ALB only",
        tags,
      },
      { parent: this },
    );
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-https-out`,
      {
        securityGroupId: this.securityGroup.id,
        cidrIpv4: "0.0.0.0/0",
        ipProtocol: "tcp",
        fromPort: 443,
        toPort: 443,
        description: "AWS APIs and SNS signing certificates over HTTPS",
        tags,
      },
      { parent: this },
    );
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-alb-to-tasks`,
      {
        securityGroupId: args.albSecurityGroupId,
        referencedSecurityGroupId: this.securityGroup.id,
        ipProtocol: "tcp",
        fromPort: CONTAINER_PORT,
        toPort: CONTAINER_PORT,
        description: "ALB to the runtime tasks only",
        tags,
      },
      { parent: this },
    );

    this.service = new aws.ecs.Service(
      `${name}-service`,
      {
        name: `${namePrefix}-runtime`,
        cluster: this.cluster.arn,
        taskDefinition: this.taskDefinition.arn,
        launchType: "FARGATE",
        platformVersion: secureDefaults.fargatePlatformVersion,
        desiredCount: args.sizes.desiredCount,
        deploymentMinimumHealthyPercent: 100,
        deploymentMaximumPercent: 200,
        deploymentCircuitBreaker: { enable: true, rollback: true },
        healthCheckGracePeriodSeconds: secureDefaults.healthCheckGracePeriodSeconds,
        networkConfiguration: {
          subnets: args.privateSubnetIds,
          securityGroups: [this.securityGroup.id],
          assignPublicIp: false,
        },
        loadBalancers: [
          {
            targetGroupArn: args.targetGroupArn,
            containerName: CONTAINER_NAME,
            containerPort: CONTAINER_PORT,
          },
        ],
        enableExecuteCommand: false,
        propagateTags: "SERVICE",
        // The subscription is created after the service and must be confirmed by a running task.
        waitForSteadyState: true,
        tags,
      },
      {
        parent: this,
        ignoreChanges: ["desiredCount"],
        // A task started before its roles' policies are attached cannot pull, log or send.
        dependsOn: [...roles.task.ready, ...roles.execution.ready],
      },
    );

    const scaling = new aws.appautoscaling.Target(
      `${name}-scaling`,
      {
        serviceNamespace: "ecs",
        scalableDimension: "ecs:service:DesiredCount",
        resourceId: pulumi.interpolate`service/${this.cluster.name}/${this.service.name}`,
        minCapacity: args.sizes.minCount,
        maxCapacity: args.sizes.maxCount,
        tags,
      },
      { parent: this },
    );
    new aws.appautoscaling.Policy(
      `${name}-cpu`,
      {
        policyType: "TargetTrackingScaling",
        serviceNamespace: scaling.serviceNamespace,
        scalableDimension: scaling.scalableDimension,
        resourceId: scaling.resourceId,
        targetTrackingScalingPolicyConfiguration: {
          targetValue: 60,
          predefinedMetricSpecification: {
            predefinedMetricType: "ECSServiceAverageCPUUtilization",
          },
          scaleInCooldown: 120,
          scaleOutCooldown: 60,
        },
      },
      { parent: this },
    );

    this.registerOutputs({ clusterName: this.cluster.name, serviceName: this.service.name });
  }
}
