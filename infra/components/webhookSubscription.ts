import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { secureDefaults } from "../secureDefaults";
import { DeadLetterQueue } from "./deadLetterQueue";

export interface WebhookSubscriptionArgs {
  /** The inbound SMS topic (Messaging's). */
  topicArn: pulumi.Input<string>;
  /** The key that encrypts the topic; the DLQ uses it too. */
  messagingKeyArn: pulumi.Input<string>;
  /** The runtime's webhook, which confirms the subscription when SNS asks. */
  webhookUrl: pulumi.Input<string>;
  /**
   * What must run before SNS sends its SubscriptionConfirmation: the service, the listener and
   * the DNS name. Put on the subscription itself, not on this component.
   */
  confirmableAfter: pulumi.Input<pulumi.Resource>[];
  /**
   * The children's names. They were created as children of Messaging; `formerParent` names it,
   * so the move is an alias and not a replacement of the subscription and its queue.
   */
  names: { subscription: string; deadLetterQueue: string };
  formerParent: pulumi.Resource;
  tags: Record<string, string>;
}

/**
 * The HTTPS subscription of the webhook to the inbound topic (S3, Q1), with a delivery policy
 * that ends retries inside the runtime's one-hour replay window and a redrive DLQ. Its own
 * component because it is created after the service, which confirms it; Messaging is complete
 * before the service exists.
 */
export class WebhookSubscription extends pulumi.ComponentResource {
  readonly subscription: aws.sns.TopicSubscription;
  readonly dlq: DeadLetterQueue;

  constructor(
    name: string,
    args: WebhookSubscriptionArgs,
    opts: pulumi.ComponentResourceOptions = {},
  ) {
    super("eum-sms:messaging:WebhookSubscription", name, {}, opts);
    const moved = { parent: this, aliases: [{ parent: args.formerParent }] };
    this.dlq = new DeadLetterQueue(
      args.names.deadLetterQueue,
      {
        kmsKeyArn: args.messagingKeyArn,
        sender: { service: "sns.amazonaws.com", sourceArn: args.topicArn },
        tags: args.tags,
      },
      moved,
    );
    this.subscription = new aws.sns.TopicSubscription(
      args.names.subscription,
      {
        topic: args.topicArn,
        protocol: "https",
        endpoint: args.webhookUrl,
        rawMessageDelivery: false, // raw deliveries carry no signature
        endpointAutoConfirms: true,
        confirmationTimeoutInMinutes: 10,
        deliveryPolicy: JSON.stringify(secureDefaults.snsDeliveryPolicy),
        redrivePolicy: pulumi.jsonStringify({ deadLetterTargetArn: this.dlq.queue.arn }),
      },
      { ...moved, dependsOn: args.confirmableAfter },
    );
    this.registerOutputs({ subscriptionArn: this.subscription.arn });
  }
}
