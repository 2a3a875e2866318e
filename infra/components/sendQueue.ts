import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { secureDefaults } from "../secureDefaults";
import { denyInsecureTransport } from "./policyStatements";

export interface SendQueueArgs {
  kmsKeyArn: pulumi.Input<string>;
  tags: Record<string, string>;
}

/**
 * The outbound queue of due sends (issue 12; Q1, Q2): an SQS standard queue whose messages carry
 * a send id only, under the stack's CMK (never SQS-managed SSE), redriven to a CMK-encrypted DLQ
 * after a few receives, with policies that refuse non-TLS access. No resource policy grants
 * anyone: only this account's IAM principals with a policy naming the queue reach it (the task
 * role, and the role EventBridge Scheduler assumes).
 */
export class SendQueue extends pulumi.ComponentResource {
  readonly queue: aws.sqs.Queue;
  readonly deadLetterQueue: aws.sqs.Queue;

  constructor(name: string, args: SendQueueArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("eum-sms:outbound:SendQueue", name, {}, opts);
    const settings = secureDefaults.sendQueue;
    const encrypted = { kmsMasterKeyId: args.kmsKeyArn, kmsDataKeyReusePeriodSeconds: 300 };

    this.deadLetterQueue = new aws.sqs.Queue(
      `${name}-dlq`,
      {
        ...encrypted,
        messageRetentionSeconds: secureDefaults.dlqRetentionSeconds,
        tags: args.tags,
      },
      { parent: this },
    );
    this.queue = new aws.sqs.Queue(
      name,
      {
        ...encrypted,
        visibilityTimeoutSeconds: settings.visibilityTimeoutSeconds,
        messageRetentionSeconds: settings.messageRetentionSeconds,
        receiveWaitTimeSeconds: settings.receiveWaitTimeSeconds,
        redrivePolicy: pulumi.jsonStringify({
          deadLetterTargetArn: this.deadLetterQueue.arn,
          maxReceiveCount: settings.maxReceiveCount,
        }),
        tags: args.tags,
      },
      { parent: this },
    );
    // Only the send queue may move messages into its DLQ.
    new aws.sqs.RedriveAllowPolicy(
      `${name}-dlq-redrive-allow`,
      {
        queueUrl: this.deadLetterQueue.url,
        redriveAllowPolicy: pulumi.jsonStringify({
          redrivePermission: "byQueue",
          sourceQueueArns: [this.queue.arn],
        }),
      },
      { parent: this },
    );
    for (const [suffix, queue] of [
      ["policy", this.queue],
      ["dlq-policy", this.deadLetterQueue],
    ] as const) {
      new aws.sqs.QueuePolicy(
        `${name}-${suffix}`,
        {
          queueUrl: queue.url,
          policy: aws.iam.getPolicyDocumentOutput({
            statements: [denyInsecureTransport(["sqs:*"], [queue.arn])],
          }).json,
        },
        { parent: this },
      );
    }

    this.registerOutputs({
      queueArn: this.queue.arn,
      queueUrl: this.queue.url,
      deadLetterQueueArn: this.deadLetterQueue.arn,
    });
  }
}
