import { randomUUID } from "node:crypto";
import { ScanCommand } from "@aws-sdk/client-dynamodb";
import { DynamoDbConversationStore } from "../../runtime/src/store/dynamoDbStore";
import { createStoreTable, emulatorDynamoDbClient } from "../support/dynamoDbTable";
import { deliveryEvent } from "../support/events";
import { startDynamoDbEmulator, type Emulator } from "../support/motoServer";
import { inboundNotification } from "../support/snsSigner";
import {
  agentHeaders,
  buildTestApp,
  EVENTBRIDGE_KEY,
  OUR_NUMBER,
  snsHeaders,
  type TestApp,
} from "../support/testApp";

const PATIENT = "+14255550142";
let emulator: Emulator;
let t: TestApp;
let table: string;

beforeAll(async () => {
  emulator = await startDynamoDbEmulator();
  table = `eum-sms-app-${randomUUID()}`;
  const client = emulatorDynamoDbClient(emulator.endpoint);
  await createStoreTable(client, table);
  t = await buildTestApp({ store: new DynamoDbConversationStore(client, table) });
}, 30_000);
afterAll(async () => {
  await t?.app.close();
  await emulator?.stop();
});

describe("the service on DynamoDB (moto)", () => {
  it("runs a whole appointment conversation and stores no phone number anywhere", async () => {
    const started = await t.request({
      method: "POST",
      url: "/v1/conversations",
      headers: agentHeaders,
      payload: { to: PATIENT, slots: ["Tue 3:00 PM", "Wed 9:30 AM"], idempotencyKey: "appt-77" },
    });
    expect(started.statusCode).toBe(201);
    const { conversationId, messageId } = started.json();
    const reply = inboundNotification({
      originationNumber: PATIENT,
      destinationNumber: OUR_NUMBER,
      messageBody: "2",
      inboundMessageId: randomUUID(),
      previousPublishedMessageId: messageId,
    });
    const deliveries = await Promise.all(
      Array.from({ length: 5 }, () =>
        t.request({
          method: "POST",
          url: "/sms/webhook",
          headers: snsHeaders(),
          payload: JSON.stringify(reply),
        }),
      ),
    );
    expect(deliveries.map((d) => d.json().status).sort()).toEqual([
      "duplicate",
      "duplicate",
      "duplicate",
      "duplicate",
      "stored",
    ]);
    await t.request({
      method: "POST",
      url: "/sms/webhook",
      headers: { "content-type": "application/json", "x-api-key": EVENTBRIDGE_KEY },
      payload: JSON.stringify(deliveryEvent(messageId, "DELIVERED", true, Date.now())),
    });
    const view = (
      await t.request({
        method: "GET",
        url: `/v1/conversations/${conversationId}`,
        headers: agentHeaders,
      })
    ).json();
    expect(view).toMatchObject({
      status: "replied",
      selectedSlot: { number: 2, label: "Wed 9:30 AM" },
      replies: [{ text: "2" }],
      delivery: { status: "DELIVERED", final: true },
    });

    const scan = await emulatorDynamoDbClient(emulator.endpoint).send(
      new ScanCommand({ TableName: table }),
    );
    expect(scan.Items?.length).toBeGreaterThan(5);
    expect(JSON.stringify(scan.Items)).not.toContain("4255550142");
  });
});
