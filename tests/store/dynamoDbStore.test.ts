import { randomUUID } from "node:crypto";
import { StoreUnavailableError } from "../../runtime/src/errors";
import { DynamoDbConversationStore } from "../../runtime/src/store/dynamoDbStore";
import { createStoreTable, emulatorDynamoDbClient } from "../support/dynamoDbTable";
import { startDynamoDbEmulator, type Emulator } from "../support/motoServer";
import { conversationStoreConformance } from "./conversationStoreConformance";

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
