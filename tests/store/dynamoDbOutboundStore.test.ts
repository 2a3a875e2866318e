import { DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { randomUUID } from "node:crypto";
import { StoreUnavailableError } from "../../runtime/src/errors";
import { DynamoDbConversationStore } from "../../runtime/src/store/dynamoDbStore";
import { createStoreTable, emulatorDynamoDbClient } from "../support/dynamoDbTable";
import { startDynamoDbEmulator, TEST_CREDENTIALS, type Emulator } from "../support/motoServer";
import { sendRecord } from "./outboundSendFixture";

/**
 * What the DynamoDB outbound store does beyond the shared conformance: the calls each operation
 * costs, where the destination and text may be, and answers lost after a write applied.
 */
const t = (minute: number) => new Date(Date.UTC(2026, 10, 24, 12, minute)).toISOString();

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startDynamoDbEmulator();
}, 30_000);
afterAll(async () => {
  await emulator?.stop();
});

async function freshTable(client: DynamoDBClient): Promise<string> {
  const table = `eum-sms-${randomUUID()}`;
  await createStoreTable(client, table);
  return table;
}

describe("DynamoDbConversationStore outbound records", () => {
  it("makes the calls each operation documents", async () => {
    const client = emulatorDynamoDbClient(emulator.endpoint);
    const table = await freshTable(client);
    let calls: string[] = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        calls.push(String(context.commandName).replace(/Command$/, ""));
        return next(args);
      },
      { step: "initialize", name: "countCalls" },
    );
    const store = new DynamoDbConversationStore(client, table);
    const counted = async <T>(op: () => Promise<T>): Promise<string[]> => {
      calls = [];
      await op();
      return calls;
    };
    const s = sendRecord();
    expect(await counted(() => store.createSend(s))).toEqual(["PutItem"]);
    expect(await counted(() => store.claimSend(s.sendId, "l1", t(1), t(2)))).toEqual([
      "UpdateItem",
    ]);
    expect(await counted(() => store.markCallStarted(s.sendId, "l1", t(1)))).toEqual([
      "UpdateItem",
    ]);
    const attempt = { at: t(1), outcome: "sent" as const, providerMessageId: "pm-1" };
    expect(
      await counted(() =>
        store.finishSend(s.sendId, "l1", {
          status: "sent",
          at: t(1),
          providerMessageId: "pm-1",
          attempt,
        }),
      ),
    ).toEqual(["GetItem", "TransactWriteItems"]);
    expect(await counted(() => store.sendIdForProviderMessage("pm-1"))).toEqual(["GetItem"]);
    expect(
      await counted(() => store.recordAttemptDelivery(s.sendId, "pm-1", "TEXT_DELIVERED", t(2))),
    ).toEqual(["GetItem", "UpdateItem"]);
    const waiting = sendRecord();
    await store.createSend(waiting);
    expect(await counted(() => store.cancelSend(waiting.sendId, t(1)))).toEqual(["UpdateItem"]);
    expect(await counted(() => store.cancelSend(waiting.sendId, t(1)))).toEqual(["UpdateItem"]);
    const deferred = sendRecord();
    await store.createSend(deferred);
    await store.claimSend(deferred.sendId, "l2", t(1), t(2));
    expect(
      await counted(() =>
        store.finishSend(deferred.sendId, "l2", { status: "deferred", at: t(1), dueAt: t(9) }),
      ),
    ).toEqual(["UpdateItem"]);
    expect(await counted(() => store.takeRateBudget("phone-1", 0, 1, 1))).toEqual(["UpdateItem"]);
    expect(await counted(() => store.takeRateBudget("phone-1", 0, 1, 1))).toEqual(["UpdateItem"]);
    // A new window and a counter ahead of the clock (a backlog): one call each; a counter that
    // lags the clock (sends resumed late in a window) costs a second, conditional one.
    expect(await counted(() => store.takeRateBudget("phone-2", 0, 1, 48, 5))).toEqual([
      "UpdateItem",
    ]);
    expect(await counted(() => store.takeRateBudget("phone-2", 0, 1, 48, 2))).toEqual([
      "UpdateItem",
    ]);
    expect(await counted(() => store.takeRateBudget("phone-2", 0, 1, 48, 20))).toEqual([
      "UpdateItem",
      "UpdateItem",
    ]);
    await expect(store.takeRateBudget("phone-2", 0, 1, 48)).resolves.toBe(22);
    const consent = {
      patientRef: "patient-ref-hmac",
      scope: "reminders",
      granted: true,
      source: "agent",
      capturedAt: t(0),
      at: t(0),
    };
    expect(await counted(() => store.putConsent(consent))).toEqual(["PutItem"]);
    expect(await counted(() => store.listConsents("patient-ref-hmac"))).toEqual(["Query"]);
    expect(
      await counted(() => store.recordSendForCap("patient-ref-hmac", s.sendId, t(1), t(60))),
    ).toEqual(["PutItem"]);
    expect(await counted(() => store.sendTimesSince("patient-ref-hmac", t(0)))).toEqual(["Query"]);
    await store.close();
  });

  it("keeps the number and the text out of every key, and out of the table once a send ends", async () => {
    const client = emulatorDynamoDbClient(emulator.endpoint);
    const table = await freshTable(client);
    const store = new DynamoDbConversationStore(client, table);
    const scan = async () => (await client.send(new ScanCommand({ TableName: table }))).Items ?? [];

    const sent = sendRecord();
    const denied = sendRecord();
    const cancelled = sendRecord({ status: "scheduled", dueAt: t(30) });
    for (const s of [sent, denied, cancelled]) await store.createSend(s);
    await store.claimSend(sent.sendId, "l1", t(1), t(2));
    await store.markCallStarted(sent.sendId, "l1", t(1));
    await store.finishSend(sent.sendId, "l1", {
      status: "sent",
      at: t(1),
      providerMessageId: "pm-1",
      attempt: { at: t(1), outcome: "sent", providerMessageId: "pm-1" },
    });
    await store.recordSendForCap(sent.patientRef, sent.sendId, t(1), t(60));
    await store.takeRateBudget("+12065550100", 0, 1, 3);
    await store.claimSend(denied.sendId, "l2", t(1), t(2));
    for (const item of await scan()) {
      expect(JSON.stringify([item.pk, item.sk])).not.toContain("4255550182");
      expect(JSON.stringify([item.pk, item.sk])).not.toContain("2065550100");
    }

    await store.finishSend(denied.sendId, "l2", { status: "denied", at: t(2) });
    await store.cancelSend(cancelled.sendId, t(2));
    await store.recordAttemptDelivery(sent.sendId, "pm-1", "TEXT_DELIVERED", t(3));
    const table_ = JSON.stringify(await scan());
    expect(table_).not.toContain("4255550182");
    expect(table_).not.toContain("2065550100");
    expect(table_).not.toContain("appointment is tomorrow");
    await store.close();
  });

  it("reports every failing call as StoreUnavailableError, so callers answer 5xx and retry", async () => {
    const store = new DynamoDbConversationStore(
      emulatorDynamoDbClient(emulator.endpoint),
      "no-such-table",
    );
    const s = sendRecord();
    const calls: (() => Promise<unknown>)[] = [
      () => store.createSend(s),
      () => store.getSend(s.sendId),
      () => store.claimSend(s.sendId, "l1", t(1), t(2)),
      () => store.markCallStarted(s.sendId, "l1", t(1)),
      () => store.finishSend(s.sendId, "l1", { status: "denied", at: t(1) }),
      () => store.finishSend(s.sendId, "l1", { status: "sent", at: t(1), providerMessageId: "p" }),
      () => store.cancelSend(s.sendId, t(1)),
      () => store.recordAttemptDelivery(s.sendId, "p", "TEXT_DELIVERED", t(1)),
      () => store.sendIdForProviderMessage("p"),
      () =>
        store.putConsent({
          patientRef: "p",
          scope: "s",
          granted: true,
          source: "agent",
          capturedAt: t(0),
          at: t(0),
        }),
      () => store.getConsent("p", "s"),
      () => store.listConsents("p"),
      () => store.recordSendForCap("p", s.sendId, t(1), t(2)),
      () => store.sendTimesSince("p", t(0)),
      () => store.takeRateBudget("phone-1", 0, 1, 1),
    ];
    for (const call of calls) await expect(call()).rejects.toBeInstanceOf(StoreUnavailableError);
    await store.close();
  });

  it("answers the finished record to a finish retried by the SDK after its first answer was lost", async () => {
    const client = new DynamoDBClient({
      region: "us-east-1",
      endpoint: emulator.endpoint,
      credentials: TEST_CREDENTIALS,
      maxAttempts: 2,
    });
    const table = await freshTable(client);
    let loseNextUpdate = false;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        if (loseNextUpdate && context.commandName === "UpdateItemCommand") {
          loseNextUpdate = false;
          throw Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
        }
        return result;
      },
      { step: "deserialize", name: "loseOneAnswer" },
    );
    const store = new DynamoDbConversationStore(client, table);
    const s = sendRecord();
    await store.createSend(s);
    await store.claimSend(s.sendId, "l1", t(1), t(2));
    loseNextUpdate = true;
    const finished = await store.finishSend(s.sendId, "l1", { status: "denied", at: t(2) });
    expect(loseNextUpdate).toBe(false);
    expect(finished).toMatchObject({ status: "denied" });
    await expect(store.getSend(s.sendId)).resolves.toEqual(finished);
    // Another worker's token is still refused.
    await expect(
      store.finishSend(s.sendId, "l9", { status: "denied", at: t(2) }),
    ).resolves.toBeUndefined();
    await store.close();
  });
});
