import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { secureDefaults } from "../secureDefaults";
import { denyInsecureTransport } from "./policyStatements";

export interface DeadLetterQueueArgs {
  kmsKeyArn: pulumi.Input<string>;
  /** The one service allowed to send, and the one resource it may send for (aws:SourceArn). */
  sender: { service: string; sourceArn: pulumi.Input<string> };
  tags: Record<string, string>;
}

/**
 * A standard SQS queue for deliveries AWS gave up on (Q1): CMK encryption, 14-day retention, a
 * policy that denies non-TLS access and lets exactly one service send for exactly one resource.
 */
export class DeadLetterQueue extends pulumi.ComponentResource {
  readonly queue: aws.sqs.Queue;

  constructor(name: string, args: DeadLetterQueueArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("eum-sms:messaging:DeadLetterQueue", name, {}, opts);
    this.queue = new aws.sqs.Queue(
      name,
      {
        kmsMasterKeyId: args.kmsKeyArn,
        kmsDataKeyReusePeriodSeconds: 300,
        messageRetentionSeconds: secureDefaults.dlqRetentionSeconds,
        tags: args.tags,
      },
      { parent: this },
    );
    new aws.sqs.QueuePolicy(
      `${name}-policy`,
      {
        queueUrl: this.queue.url,
        policy: aws.iam.getPolicyDocumentOutput({
          statements: [
            denyInsecureTransport(["sqs:*"], [this.queue.arn]),
            {
              sid: "AllowDeadLettersFromOneSource",
              principals: [{ type: "Service", identifiers: [args.sender.service] }],
              actions: ["sqs:SendMessage"],
              resources: [this.queue.arn],
              conditions: [
                { test: "ArnEquals", variable: "aws:SourceArn", values: [args.sender.sourceArn] },
              ],
            },
          ],
        }).json,
      },
      { parent: this },
    );
    this.registerOutputs({ queueArn: this.queue.arn, queueName: this.queue.name });
  }
}
