import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  DELIVERY_DETAIL_TYPE,
  REGISTRATION_DETAIL_TYPE,
} from "../../runtime/src/eventbridge/smsVoiceEvents";
import { secureDefaults } from "../secureDefaults";
import type { AwsContext } from "./awsContext";
import { DeadLetterQueue } from "./deadLetterQueue";
import { createServiceRole } from "./serviceRole";

/** The connection's name: the rotation function updates it by name (SecretRotation). */
export const connectionName = (namePrefix: string) => `${namePrefix}-webhook`;

export interface EventRoutingArgs {
  context: AwsContext;
  messagingKeyArn: pulumi.Input<string>;
  webhookUrl: pulumi.Input<string>;
  apiKeyHeader: string;
  apiKeyValue: pulumi.Input<string>;
}

/**
 * Delivery-status and registration events from End User Messaging (they arrive on the default
 * bus on their own; no configuration-set destination is needed) to the webhook (E1, E2): a rule,
 * an API_KEY connection whose secret is under the messaging CMK, an API destination with a rate
 * limit, and a target with a scoped role, a retry policy and an encrypted DLQ.
 */
export class EventRouting extends pulumi.ComponentResource {
  readonly rule: aws.cloudwatch.EventRule;
  readonly connection: aws.cloudwatch.EventConnection;
  readonly apiDestination: aws.cloudwatch.EventApiDestination;
  readonly target: aws.cloudwatch.EventTarget;
  readonly dlq: DeadLetterQueue;

  constructor(name: string, args: EventRoutingArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("eum-sms:events:EventRouting", name, {}, opts);
    const { tags, namePrefix, accountId } = args.context;

    this.rule = new aws.cloudwatch.EventRule(
      `${name}-rule`,
      {
        name: `${namePrefix}-sms-voice-events`,
        description:
          "End User Messaging delivery status and registration changes to the runtime webhook",
        eventBusName: "default",
        eventPattern: JSON.stringify({
          source: ["aws.sms-voice"],
          "detail-type": [DELIVERY_DETAIL_TYPE, REGISTRATION_DETAIL_TYPE],
        }),
        tags,
      },
      { parent: this },
    );
    this.connection = new aws.cloudwatch.EventConnection(
      `${name}-connection`,
      {
        name: connectionName(namePrefix),
        description: "API key for the runtime webhook",
        authorizationType: "API_KEY",
        authParameters: { apiKey: { key: args.apiKeyHeader, value: args.apiKeyValue } },
        kmsKeyIdentifier: args.messagingKeyArn,
      },
      // After creation the rotation function owns the key (events:UpdateConnection); an up must
      // not put the first value back.
      { parent: this, ignoreChanges: ["authParameters"] },
    );
    this.apiDestination = new aws.cloudwatch.EventApiDestination(
      `${name}-destination`,
      {
        name: `${namePrefix}-webhook`,
        connectionArn: this.connection.arn,
        httpMethod: "POST",
        invocationEndpoint: args.webhookUrl,
        invocationRateLimitPerSecond: secureDefaults.apiDestinationRateLimitPerSecond,
      },
      { parent: this },
    );
    const role = createServiceRole(
      {
        name: `${name}-invoke`,
        policyName: `${name}-invoke`,
        description: "EventBridge invokes exactly the webhook API destination",
        service: "events.amazonaws.com",
        accountId,
        extraTrustConditions: [
          { test: "ArnEquals", variable: "aws:SourceArn", values: [this.rule.arn] },
        ],
        statements: [
          {
            actions: ["events:InvokeApiDestination"],
            resources: [pulumi.interpolate`${this.apiDestination.arn}/*`, this.apiDestination.arn],
          },
        ],
        tags,
      },
      { parent: this },
    );
    this.dlq = new DeadLetterQueue(
      `${name}-dlq`,
      {
        kmsKeyArn: args.messagingKeyArn,
        sender: { service: "events.amazonaws.com", sourceArn: this.rule.arn },
        tags,
      },
      { parent: this },
    );
    this.target = new aws.cloudwatch.EventTarget(
      `${name}-target`,
      {
        rule: this.rule.name,
        eventBusName: "default",
        arn: this.apiDestination.arn,
        roleArn: role.arn,
        retryPolicy: secureDefaults.eventBridgeRetry,
        deadLetterConfig: { arn: this.dlq.queue.arn },
      },
      { parent: this },
    );
    this.registerOutputs({ ruleArn: this.rule.arn, apiDestinationArn: this.apiDestination.arn });
  }
}
