import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AwsContext } from "./components/awsContext";
import { AuditLogs } from "./components/auditLogs";
import { ConversationTable } from "./components/conversationTable";
import { Encryption } from "./components/encryption";
import { EventRouting } from "./components/eventRouting";
import { Messaging } from "./components/messaging";
import { Monitoring } from "./components/monitoring";
import { RuntimeLogMetrics } from "./components/runtimeLogMetrics";
import { Network } from "./components/network";
import { RuntimeImage } from "./components/runtimeImage";
import { RuntimeSecrets } from "./components/runtimeSecrets";
import { CONTAINER_PORT, RuntimeService } from "./components/runtimeService";
import { WebhookLoadBalancer } from "./components/webhookLoadBalancer";
import { WebhookSubscription } from "./components/webhookSubscription";
import { SendQueue } from "./components/sendQueue";
import { scheduleArns, SendScheduler } from "./components/sendScheduler";
import { secureDefaults } from "./secureDefaults";
import { phoneNumberReadiness, type PhoneNumberReadiness } from "./phoneNumberReadiness";
import type { StackConfig } from "./stackConfig";
import {
  DEFAULT_API_KEY_HEADER as API_KEY_HEADER,
  WEBHOOK_PATH,
} from "../runtime/src/contract/runtimeContract";

export interface StackOutputs {
  webhookUrl: pulumi.Output<string>;
  phoneNumber: pulumi.Output<string>;
  phoneNumberArn: pulumi.Output<string>;
  inboundTopicArn: pulumi.Output<string>;
  tableName: pulumi.Output<string>;
  alarmTopicArn: pulumi.Output<string>;
  dashboardUrl: pulumi.Output<string>;
  agentApiTokenSecretArn: pulumi.Output<string>;
  loadBalancerDnsName: pulumi.Output<string>;
  imageRef: pulumi.Output<string>;
  phoneNumberReadiness: pulumi.Output<PhoneNumberReadiness>;
  sendQueueUrl: pulumi.Output<string>;
  sendScheduleGroup: pulumi.Output<string>;
}

/** Wires the components of one environment from its validated configuration. */
export function createStack(config: StackConfig): StackOutputs {
  const prefix = `eum-sms-${config.environment}`;
  const context: AwsContext = {
    accountId: aws.getCallerIdentityOutput().accountId,
    region: config.region,
    partition: aws.getPartitionOutput().partition,
    namePrefix: prefix,
    tags: { ...secureDefaults.tags, Environment: config.environment, Service: "eum-sms" },
  };
  const publicBaseUrl = `https://${config.domainName}`;
  const webhookUrl = `${publicBaseUrl}${WEBHOOK_PATH}`;

  const encryption = new Encryption(`${prefix}-keys`, {
    context,
    cloudTrail: config.createCloudTrail,
  });
  const logs = new AuditLogs(`${prefix}-logs`, {
    context,
    logsKeyArn: encryption.logsKey.arn,
    retentionDays: config.logRetentionDays,
    auditRetentionDays: config.auditLogRetentionDays,
    deletionProtection: config.deletionProtection,
    cloudTrail: config.createCloudTrail,
    ...(config.trailReplicaRegion ? { trailReplicaRegion: config.trailReplicaRegion } : {}),
  });
  const network = new Network(`${prefix}-net`, {
    context,
    network: config.network,
    flowLogGroupArn: logs.flowLogGroup.arn,
  });
  const table = new ConversationTable(`${prefix}-data`, {
    context,
    dataKeyArn: encryption.dataKey.arn,
    deletionProtection: config.deletionProtection,
    backupRetentionDays: config.backupRetentionDays,
    holdsPatientData: config.holdsPatientData,
  });
  const messaging = new Messaging(`${prefix}-sms`, {
    context,
    messagingKeyArn: encryption.messagingKey.arn,
    phoneNumber: config.phoneNumber,
    deletionProtection: config.deletionProtection,
  });
  const secrets = new RuntimeSecrets(`${prefix}-secrets`, {
    context,
    messagingKeyArn: encryption.messagingKey.arn,
    rotation: {
      days: config.secretRotationDays,
      logsKeyArn: encryption.logsKey.arn,
      logRetentionDays: config.logRetentionDays,
      apiKeyHeader: API_KEY_HEADER,
    },
  });
  const image = new RuntimeImage(`${prefix}-image`, {
    context,
    dataKeyArn: encryption.dataKey.arn,
    ...(config.image ? { image: config.image } : {}),
  });
  const alb = new WebhookLoadBalancer(`${prefix}-web`, {
    context,
    vpcId: network.vpcId,
    publicSubnetIds: network.publicSubnetIds,
    certificateArn: config.certificateArn,
    containerPort: CONTAINER_PORT,
    ingressCidrs: config.ingressCidrs,
    deletionProtection: config.deletionProtection,
    accessLogRetentionDays: config.logRetentionDays,
    wafRateLimit: config.wafRateLimit,
    wafLogGroupArn: logs.wafLogGroup.arn,
    domainName: config.domainName,
    hostedZoneId: config.hostedZoneId,
  });
  // Due sends by id (issue 12): the queue and the schedules that feed it, under the messaging key
  // that already encrypts the stack's other queues.
  const sendQueue = new SendQueue(`${prefix}-sends`, {
    kmsKeyArn: encryption.messagingKey.arn,
    tags: context.tags,
  });
  const sendScheduler = new SendScheduler(`${prefix}-schedules`, {
    context,
    queueArn: sendQueue.queue.arn,
    kmsKeyArn: encryption.messagingKey.arn,
  });
  const service = new RuntimeService(
    `${prefix}-runtime`,
    {
      context,
      vpcId: network.vpcId,
      privateSubnetIds: network.privateSubnetIds,
      albSecurityGroupId: alb.securityGroup.id,
      targetGroupArn: alb.targetGroup.arn,
      imageRef: image.imageRef,
      ...(image.pullRepositoryArn ? { repositoryArn: image.pullRepositoryArn } : {}),
      sizes: config.service,
      logGroupName: logs.serviceLogGroup.name,
      logGroupArn: logs.serviceLogGroup.arn,
      environment: {
        PORT: String(CONTAINER_PORT),
        AWS_REGION: config.region,
        USE_MOCK_SMS: "false",
        AWS_SMS_ORIGINATION_NUMBER: messaging.phoneNumber.arn,
        AWS_SMS_CONFIGURATION_SET: messaging.configurationSet.name,
        AWS_SMS_OPT_OUT_LIST: messaging.optOutList.name,
        SNS_ALLOWED_TOPIC_ARNS: messaging.inboundTopic.arn,
        EVENTBRIDGE_API_KEY_HEADER: API_KEY_HEADER,
        STORE: pulumi.interpolate`dynamodb:${table.table.name}`,
        // The number's whole rate, not a share per task: every task takes its parts from one
        // budget per second kept in the table (runtime/src/outbound/ratePacer.ts), so however many
        // tasks autoscaling runs, together they stay within it and one task alone can use it all.
        SMS_MAX_PARTS_PER_SECOND: String(config.phoneNumber.maxPartsPerSecond),
        SELF_MANAGED_OPT_OUTS: String(config.phoneNumber.selfManagedOptOuts),
        CONVERSATION_TTL_DAYS: String(config.conversationTtlDays),
        LOG_LEVEL: "info",
        AUDIT_LOG_GROUP: logs.auditLogGroup.name,
        // The A2A agent card names the service's public origin, not the host a request carried.
        PUBLIC_BASE_URL: publicBaseUrl,
        // The ALB is the one proxy in front of the tasks: its X-Forwarded-For entry is the client.
        TRUSTED_PROXY_HOPS: "1",
        // Rotated: the runtime re-reads these itself and accepts AWSPREVIOUS for an overlap.
        AGENT_AUTH_ARN: secrets.agentApiToken.arn,
        EVENTBRIDGE_AUTH_ARN: secrets.eventBridgeApiKey.arn,
        OUTBOUND_QUEUE_URL: sendQueue.queue.url,
        OUTBOUND_QUEUE_ARN: sendQueue.queue.arn,
        SEND_SCHEDULE_GROUP: sendScheduler.group.name,
        SEND_SCHEDULER_ROLE_ARN: sendScheduler.role.role.arn,
        REQUIRE_CONSENT: String(config.sendRules.requireConsent),
        QUIET_HOURS: config.sendRules.quietHours,
        FREQUENCY_CAP: config.sendRules.frequencyCap,
      },
      secrets: {
        AGENT_API_TOKEN: secrets.agentApiToken.arn,
        EVENTBRIDGE_API_KEY: secrets.eventBridgeApiKey.arn,
        PATIENT_REF_KEY: secrets.patientRefKey.arn,
      },
      secretsKeyArn: encryption.messagingKey.arn,
      send: {
        phoneNumberArn: messaging.phoneNumber.arn,
        configurationSetArn: messaging.configurationSet.arn,
        optOutListArn: messaging.optOutList.arn,
      },
      table: { arn: table.table.arn, kmsKeyArn: encryption.dataKey.arn },
      auditLogGroupArn: logs.auditLogGroup.arn,
      outbound: {
        queueArn: sendQueue.queue.arn,
        kmsKeyArn: encryption.messagingKey.arn,
        scheduleArns: scheduleArns(context, sendScheduler.groupName).schedules,
        schedulerRoleArn: sendScheduler.role.role.arn,
      },
      rotatedSecretArns: [secrets.agentApiToken.arn, secrets.eventBridgeApiKey.arn],
    },
    // A task must not start before Scheduler may assume its role: a schedule created earlier
    // would fire into a role it cannot use.
    { dependsOn: [alb.httpsListener, ...sendScheduler.role.ready] },
  );

  const inbound = new WebhookSubscription(`${prefix}-sms-webhook`, {
    topicArn: messaging.inboundTopic.arn,
    messagingKeyArn: encryption.messagingKey.arn,
    webhookUrl,
    confirmableAfter: [service.service, alb.httpsListener, alb.dnsRecord],
    names: { subscription: `${prefix}-sms-webhook`, deadLetterQueue: `${prefix}-sms-inbound-dlq` },
    formerParent: messaging,
    tags: context.tags,
  });
  const events = new EventRouting(
    `${prefix}-events`,
    {
      context,
      messagingKeyArn: encryption.messagingKey.arn,
      webhookUrl,
      apiKeyHeader: API_KEY_HEADER,
      apiKeyValue: secrets.eventBridgeApiKeyValue,
    },
    { dependsOn: [service.service] },
  );

  // Metrics the runtime writes as log lines (SendsHeld, SendOutcomeUnknown, ...), one namespace
  // per stack so two stacks in one account and Region never share a metric.
  const logMetrics = new RuntimeLogMetrics(`${prefix}-log-metrics`, {
    logGroupName: logs.serviceLogGroup.name,
    namespace: `${prefix}/runtime`,
  });
  const monitoring = new Monitoring(`${prefix}-monitoring`, {
    context,
    messagingKeyArn: encryption.messagingKey.arn,
    alarmEmail: config.alarmEmail,
    loadBalancerArnSuffix: alb.loadBalancer.arnSuffix,
    targetGroupArnSuffix: alb.targetGroup.arnSuffix,
    clusterName: service.cluster.name,
    serviceName: service.service.name,
    eventRuleName: events.rule.name,
    inboundTopicName: messaging.inboundTopic.name,
    deadLetterQueueNames: {
      "inbound-sms": inbound.dlq.queue.name,
      "delivery-events": events.dlq.queue.name,
    },
    smsMonthlyBudgetUsd: config.smsMonthlyBudgetUsd,
    sendQueue: {
      queueName: sendQueue.queue.name,
      deadLetterQueueName: sendQueue.deadLetterQueue.name,
    },
    runtimeMetricsNamespace: logMetrics.namespace,
  });

  return {
    webhookUrl: pulumi.output(webhookUrl),
    phoneNumber: messaging.phoneNumber.phoneNumber,
    phoneNumberArn: messaging.phoneNumber.arn,
    inboundTopicArn: messaging.inboundTopic.arn,
    tableName: table.table.name,
    alarmTopicArn: monitoring.alarmTopic.arn,
    dashboardUrl: pulumi.interpolate`https://${config.region}.console.aws.amazon.com/cloudwatch/home?region=${config.region}#dashboards:name=${monitoring.dashboard.dashboardName}`,
    agentApiTokenSecretArn: secrets.agentApiToken.arn,
    loadBalancerDnsName: alb.loadBalancer.dnsName,
    imageRef: image.imageRef,
    sendQueueUrl: sendQueue.queue.url,
    sendScheduleGroup: sendScheduler.group.name,
    phoneNumberReadiness: pulumi
      .all([
        messaging.phoneNumber.status,
        messaging.phoneNumber.twoWayChannelEnabled,
        messaging.phoneNumber.twoWayChannelArn,
        messaging.inboundTopic.arn,
      ])
      .apply(([status, twoWayChannelEnabled, twoWayChannelArn, inboundTopicArn]) =>
        phoneNumberReadiness({ status, twoWayChannelEnabled, twoWayChannelArn, inboundTopicArn }),
      ),
  };
}
