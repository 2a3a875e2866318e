import { randomUUID } from "node:crypto";
import {
  CreateTopicCommand,
  PublishCommand,
  SNSClient,
  SubscribeCommand,
} from "@aws-sdk/client-sns";
import { createEmulatorStoreTable } from "./dynamoDbTable";
import {
  startDynamoDbEmulator,
  startEmulator,
  TEST_CREDENTIALS,
  type Emulator,
} from "./motoServer";
import { startRuntime, type RuntimeProcess } from "./runtimeProcess";
import { SmsVoicePeer } from "./smsVoicePeer";
import { SnsRecorder } from "./snsRecorder";

export const AGENT_TOKEN = "e2e-agent-token-0123456789abcdef";
export const EVENTBRIDGE_KEY = "e2e-eventbridge-key-0123456789abcdef";
export const OUR_NUMBER = "+18445550111";
export const CONFIGURATION_SET = "eum-sms-e2e";

/**
 * The runtime as a real process, wired to AWS protocol peers on loopback: moto for SNS (which
 * signs and POSTs each Publish to the subscribed webhook) and DynamoDB, and the End User Messaging
 * contract peer for SendTextMessage through the real SDK client.
 */
export class E2eStack {
  emulator!: Emulator;
  dynamoDb!: Emulator;
  peer = new SmsVoicePeer();
  runtime!: RuntimeProcess;
  sns!: SNSClient;
  topicArn!: string;
  /** A second allowed topic, subscribed only by `recorder`: signed deliveries to replay by hand. */
  replayTopicArn!: string;
  recorder = new SnsRecorder();
  table!: string;
  private env: Record<string, string> = {};

  async start(
    extraEnv: Record<string, string> = {},
    options: { dynamoEndpoint?: string } = {},
  ): Promise<this> {
    this.emulator = await startEmulator();
    this.dynamoDb = await startDynamoDbEmulator();
    const peerUrl = await this.peer.start();
    this.sns = new SNSClient({
      region: "us-east-1",
      endpoint: this.emulator.endpoint,
      credentials: TEST_CREDENTIALS,
    });
    this.topicArn = (
      await this.sns.send(new CreateTopicCommand({ Name: `inbound-${randomUUID()}` }))
    ).TopicArn!;
    this.replayTopicArn = (
      await this.sns.send(new CreateTopicCommand({ Name: `replay-${randomUUID()}` }))
    ).TopicArn!;
    await this.sns.send(
      new SubscribeCommand({
        TopicArn: this.replayTopicArn,
        Protocol: "http",
        Endpoint: await this.recorder.start(),
      }),
    );
    this.table = `eum-sms-e2e-${randomUUID()}`;
    await createEmulatorStoreTable(this.dynamoDb.endpoint, this.table);
    this.env = {
      USE_MOCK_SMS: "false",
      AWS_SMS_ORIGINATION_NUMBER: OUR_NUMBER,
      AWS_SMS_CONFIGURATION_SET: CONFIGURATION_SET,
      AGENT_API_TOKEN: AGENT_TOKEN,
      EVENTBRIDGE_API_KEY: EVENTBRIDGE_KEY,
      PATIENT_REF_KEY: "e2e-patient-ref-key-0123456789",
      SNS_ALLOWED_TOPIC_ARNS: `${this.topicArn},${this.replayTopicArn}`,
      SNS_CERT_FETCH_OVERRIDE: this.emulator.endpoint,
      AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2: peerUrl,
      AWS_ENDPOINT_URL_DYNAMODB: options.dynamoEndpoint ?? this.dynamoDb.endpoint,
      STORE: `dynamodb:${this.table}`,
      SMS_MAX_PARTS_PER_SECOND: "50",
      // moto signs every delivery with a fresh certificate at a fresh URL; AWS reuses one for months.
      SNS_CERT_FETCHES_PER_MINUTE: "100000",
      ...extraEnv,
    };
    this.runtime = await startRuntime(this.env);
    await this.sns.send(
      new SubscribeCommand({
        TopicArn: this.topicArn,
        Protocol: "http",
        Endpoint: `${this.runtime.baseUrl}/sms/webhook`,
      }),
    );
    return this;
  }

  async restartRuntime(extraEnv: Record<string, string> = {}): Promise<void> {
    const port = this.runtime.port;
    await this.runtime.stop();
    this.runtime = await startRuntime({ ...this.env, ...extraEnv }, port);
  }

  /** Another runtime process on the same table and peers, as a second task behind the ALB. */
  startSecondRuntime(extraEnv: Record<string, string> = {}): Promise<RuntimeProcess> {
    return startRuntime({ ...this.env, ...extraEnv });
  }

  async stop(): Promise<void> {
    await this.runtime?.stop();
    await this.peer.stop();
    await this.recorder.stop();
    this.sns?.destroy();
  }

  /**
   * Signed deliveries of inbound SMS to hand to the webhook directly, as SNS retries would:
   * published to the replay topic, whose only subscriber records them.
   */
  async signedDeliveries(from: string, bodies: string[]): Promise<string[]> {
    const start = this.recorder.bodies.length;
    for (const body of bodies) await this.patientTexts(from, body, {}, this.replayTopicArn);
    return this.recorder.bodies.slice(start);
  }

  deliver(envelope: string): Promise<Response> {
    return fetch(`${this.runtime.baseUrl}/sms/webhook`, {
      method: "POST",
      headers: {
        "content-type": "text/plain; charset=UTF-8",
        "x-amz-sns-message-type": "Notification",
      },
      body: envelope,
    });
  }

  /** An inbound SMS as End User Messaging publishes it; moto signs it and POSTs it to the webhook. */
  async patientTexts(
    from: string,
    body: string,
    extra: Record<string, string> = {},
    topicArn = this.topicArn,
  ): Promise<string> {
    const inboundMessageId = randomUUID();
    // No Subject: moto's string-to-sign omits it (a moto bug), and End User Messaging sends none.
    await this.sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Message: JSON.stringify({
          originationNumber: from,
          destinationNumber: OUR_NUMBER,
          messageBody: body,
          inboundMessageId,
          ...extra,
        }),
      }),
    );
    return inboundMessageId;
  }

  agent(method: "GET" | "POST", path: string, body?: object): Promise<Response> {
    return fetch(`${this.runtime.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${AGENT_TOKEN}`,
        ...(body ? { "content-type": "application/json" } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  }

  /** A delivery-status event as an EventBridge API destination posts it. */
  deliveryEvent(event: object): Promise<Response> {
    return fetch(`${this.runtime.baseUrl}/sms/webhook`, {
      method: "POST",
      headers: {
        "content-type": "application/json; charset=utf-8",
        "user-agent": "Amazon/EventBridge/ApiDestinations",
        "x-api-key": EVENTBRIDGE_KEY,
      },
      body: JSON.stringify(event),
    });
  }
}
