import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { secureDefaults } from "../secureDefaults";
import type { StackConfig } from "../stackConfig";
import type { AwsContext } from "./awsContext";
import { createServiceRole } from "./serviceRole";

export const CONTAINER_NAME = "runtime";
export const CONTAINER_PORT = 10003;

export interface RuntimeServiceArgs {
  context: AwsContext;
  vpcId: pulumi.Input<string>;
  privateSubnetIds: pulumi.Input<string>[];
  albSecurityGroupId: pulumi.Input<string>;
  targetGroupArn: pulumi.Input<string>;
  imageRef: pulumi.Input<string>;
  repositoryArn?: pulumi.Input<string>;
  sizes: StackConfig["service"];
  logGroupName: pulumi.Input<string>;
  logGroupArn: pulumi.Input<string>;
  /** Non-secret runtime settings, as the runtime's environment variables. */
  environment: Record<string, pulumi.Input<string>>;
  /** Secret runtime settings: env name → Secrets Manager secret ARN. */
  secrets: Record<string, pulumi.Input<string>>;
  secretsKeyArn: pulumi.Input<string>;
  send: { phoneNumberArn: pulumi.Input<string>; configurationSetArn: pulumi.Input<string> };
  table: { arn: pulumi.Input<string>; kmsKeyArn: pulumi.Input<string> };
  /** The restricted group the runtime writes audit events to (write-only for the task). */
  auditLogGroupArn: pulumi.Input<string>;
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
    const { tags, namePrefix, accountId, region } = args.context;

    this.cluster = new aws.ecs.Cluster(
      `${name}-cluster`,
      {
        name: namePrefix,
        settings: [{ name: "containerInsights", value: "enabled" }],
        tags,
      },
      { parent: this },
    );

    this.taskRole = createServiceRole(
      {
        name: `${name}-task`,
        policyName: `${name}-task`,
        description:
          "The SMS runtime: send from this stack's number, use its table, append audit events",
        service: "ecs-tasks.amazonaws.com",
        accountId,
        tags,
        statements: [
          {
            sid: "SendFromThisNumberAndConfigurationSet",
            actions: ["sms-voice:SendTextMessage"],
            resources: [args.send.phoneNumberArn, args.send.configurationSetArn],
          },
          {
            // The runtime's readiness check reads the number's status and two-way settings.
            sid: "DescribeThisNumber",
            actions: ["sms-voice:DescribePhoneNumbers"],
            resources: [args.send.phoneNumberArn],
          },
          {
            sid: "ConversationTableItems",
            actions: [
              "dynamodb:GetItem",
              "dynamodb:PutItem",
              "dynamodb:UpdateItem",
              "dynamodb:DeleteItem",
              "dynamodb:Query",
              "dynamodb:ConditionCheckItem",
            ],
            resources: [args.table.arn, pulumi.interpolate`${args.table.arn}/index/*`],
          },
          {
            sid: "TableKeyThroughDynamoDbOnly",
            actions: ["kms:Decrypt", "kms:GenerateDataKey"],
            resources: [args.table.kmsKeyArn],
            conditions: [
              {
                test: "StringEquals",
                variable: "kms:ViaService",
                values: [`dynamodb.${region}.amazonaws.com`],
              },
            ],
          },
          {
            sid: "AppendAuditEvents",
            actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
            resources: [pulumi.interpolate`${args.auditLogGroupArn}:*`],
          },
          ...(args.rotatedSecretArns?.length
            ? [
                {
                  sid: "ReadRotatedSecrets",
                  actions: ["secretsmanager:GetSecretValue"],
                  resources: args.rotatedSecretArns,
                },
                {
                  sid: "RotatedSecretsKeyThroughSecretsManagerOnly",
                  actions: ["kms:Decrypt"],
                  resources: [args.secretsKeyArn],
                  conditions: [
                    {
                      test: "StringEquals",
                      variable: "kms:ViaService",
                      values: [`secretsmanager.${region}.amazonaws.com`],
                    },
                  ],
                },
              ]
            : []),
        ],
      },
      { parent: this },
    );

    const pull: aws.types.input.iam.GetPolicyDocumentStatementArgs[] = args.repositoryArn
      ? [
          // GetAuthorizationToken is account-wide by design: it has no resource to scope to.
          { sid: "EcrLogin", actions: ["ecr:GetAuthorizationToken"], resources: ["*"] },
          {
            sid: "PullThisImage",
            actions: [
              "ecr:BatchGetImage",
              "ecr:GetDownloadUrlForLayer",
              "ecr:BatchCheckLayerAvailability",
            ],
            resources: [args.repositoryArn],
          },
        ]
      : [];
    this.executionRole = createServiceRole(
      {
        name: `${name}-execution`,
        policyName: `${name}-execution`,
        description: "ECS agent: pull the image, write service logs, read the runtime's secrets",
        service: "ecs-tasks.amazonaws.com",
        accountId,
        tags,
        statements: [
          ...pull,
          {
            sid: "WriteServiceLogs",
            actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
            resources: [pulumi.interpolate`${args.logGroupArn}:*`],
          },
          {
            sid: "ReadRuntimeSecrets",
            actions: ["secretsmanager:GetSecretValue"],
            resources: Object.values(args.secrets),
          },
          {
            sid: "SecretsKeyThroughSecretsManagerOnly",
            actions: ["kms:Decrypt"],
            resources: [args.secretsKeyArn],
            conditions: [
              {
                test: "StringEquals",
                variable: "kms:ViaService",
                values: [`secretsmanager.${region}.amazonaws.com`],
              },
            ],
          },
        ],
      },
      { parent: this },
    );

    const container = pulumi
      .all([
        args.imageRef,
        args.logGroupName,
        pulumi.output(args.environment),
        pulumi.output(args.secrets),
      ])
      .apply(([image, logGroup, environment, secrets]) =>
        JSON.stringify([
          {
            name: CONTAINER_NAME,
            image,
            essential: true,
            user: secureDefaults.containerUser,
            readonlyRootFilesystem: secureDefaults.readonlyRootFilesystem,
            privileged: false,
            portMappings: [{ containerPort: CONTAINER_PORT, protocol: "tcp" }],
            environment: Object.entries(environment)
              .map(([n, value]) => ({ name: n, value }))
              .sort((a, b) => a.name.localeCompare(b.name)),
            secrets: Object.entries(secrets)
              .map(([n, valueFrom]) => ({ name: n, valueFrom }))
              .sort((a, b) => a.name.localeCompare(b.name)),
            stopTimeout: secureDefaults.containerStopTimeoutSeconds,
            linuxParameters: { initProcessEnabled: true },
            healthCheck: {
              command: [
                "CMD",
                "node",
                "-e",
                `fetch('http://127.0.0.1:${CONTAINER_PORT}/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`,
              ],
              interval: 15,
              timeout: 3,
              retries: 3,
              startPeriod: 15,
            },
            logConfiguration: {
              logDriver: "awslogs",
              options: {
                "awslogs-group": logGroup,
                "awslogs-region": region,
                "awslogs-stream-prefix": CONTAINER_NAME,
              },
            },
          },
        ]),
      );
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
        containerDefinitions: container,
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
      { parent: this, ignoreChanges: ["desiredCount"] },
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
