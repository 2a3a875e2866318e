import { randomUUID } from "node:crypto";
import { StoreUnavailableError } from "../../runtime/src/errors";
import { DynamoDbConversationStore } from "../../runtime/src/store/dynamoDbStore";
import { createStoreTable, emulatorDynamoDbClient } from "../support/dynamoDbTable";
import { startDynamoDbEmulator, type Emulator } from "../support/motoServer";
import { conversationStoreConformance } from "./conversationStoreConformance";
import { outboundStoreConformance } from "./outboundStoreConformance";

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startDynamoDbEmulator();
}, 30_000);
afterAll(async () => {
  await emulator?.stop();
});

async function freshStore(): Promise<DynamoDbConversationStore> {
  const table = `eum-sms-${randomUUID()}`;
  const client = emulatorDynamoDbClient(emulator.endpoint);
  await createStoreTable(client, table);
  return new DynamoDbConversationStore(client, table);
}

conversationStoreConformance("DynamoDbConversationStore (moto)", freshStore);
outboundStoreConformance("DynamoDbConversationStore (moto)", freshStore);

describe("DynamoDbConversationStore failures", () => {
  it("reports a missing table as StoreUnavailableError, so the webhook answers 5xx", async () => {
    const store = new DynamoDbConversationStore(
      emulatorDynamoDbClient(emulator.endpoint),
      "no-such-table",
    );
    await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(
      store.recordInbound({
        inbound: {
          inboundMessageId: "i",
          snsMessageId: "s",
          patientRef: "p",
          kind: "reply",
          text: "x",
          receivedAt: new Date().toISOString(),
          expiresAt: "2099-01-01T00:00:00.000Z",
        },
      }),
    ).rejects.toBeInstanceOf(StoreUnavailableError);
    await store.close();
  });
});

describe("DynamoDbConversationStore transactions", () => {
  it("pass a ClientRequestToken derived from the items, so SDK retries of one call are idempotent", async () => {
    const table = `eum-sms-${randomUUID()}`;
    const client = emulatorDynamoDbClient(emulator.endpoint);
    await createStoreTable(client, table);
    const tokens: (string | undefined)[] = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === "TransactWriteItemsCommand") {
          tokens.push((args.input as { ClientRequestToken?: string }).ClientRequestToken);
        }
        return next(args);
      },
      { step: "initialize", name: "captureClientRequestToken" },
    );
    const store = new DynamoDbConversationStore(client, table);
    const inbound = (inboundMessageId: string, receivedAt: string) => ({
      inboundMessageId,
      snsMessageId: `sns-${inboundMessageId}`,
      patientRef: "p",
      kind: "reply" as const,
      text: "x",
      receivedAt,
      expiresAt: "2099-01-01T00:00:00.000Z",
    });
    await store.recordInbound({ inbound: inbound("a", "2026-11-24T12:00:00.000Z") });
    await store.recordInbound({ inbound: inbound("a", "2026-11-24T12:00:00.000Z") });
    await store.recordInbound({ inbound: inbound("a", "2026-11-24T12:00:05.000Z") });
    await store.close();
    expect(tokens).toHaveLength(3);
    for (const token of tokens) expect(token).toMatch(/^[\w-]{36}$/);
    // The same items, the same token; a redelivery (another receivedAt) has its own.
    expect(tokens[1]).toBe(tokens[0]);
    expect(tokens[2]).not.toBe(tokens[0]);
  });
});
