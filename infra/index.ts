import * as pulumi from "@pulumi/pulumi";
import { createStack } from "./stack";
import { loadStackConfig } from "./stackConfig";

// The only place that reads configuration: components get typed args.
const config = loadStackConfig(new pulumi.Config(), {
  project: pulumi.getProject(),
  stack: pulumi.getStack(),
  region: new pulumi.Config("aws").get("region"),
});
const outputs = createStack(config);

/** The HTTPS endpoint SNS and EventBridge deliver to. */
export const webhookUrl = outputs.webhookUrl;
/** The number patients text and receive texts from. */
export const phoneNumber = outputs.phoneNumber;
export const phoneNumberArn = outputs.phoneNumberArn;
/** Inbound SMS topic: its HTTPS subscription should show as confirmed. */
export const inboundTopicArn = outputs.inboundTopicArn;
export const tableName = outputs.tableName;
/** Subscribe on-call here; the configured email must confirm the subscription. */
export const alarmTopicArn = outputs.alarmTopicArn;
export const dashboardUrl = outputs.dashboardUrl;
/** Read the agent token with: aws secretsmanager get-secret-value --secret-id <this>. */
export const agentApiTokenSecretArn = outputs.agentApiTokenSecretArn;
/** Point domainName's DNS here if hostedZoneId is not configured. */
export const loadBalancerDnsName = outputs.loadBalancerDnsName;
export const imageRef = outputs.imageRef;
/**
 * Whether the number is ACTIVE, two-way enabled and delivering to inboundTopicArn, with what is
 * still missing. Provider state as of this `up`; `pulumi refresh` updates it while a
 * registration is pending. The running service reports the same live on /readyz.
 */
export const phoneNumberReadiness = outputs.phoneNumberReadiness;
/** The outbound queue of due sends and the Scheduler group of later ones (issue 12). */
export const sendQueueUrl = outputs.sendQueueUrl;
export const sendScheduleGroup = outputs.sendScheduleGroup;
