import { DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { patientRefFunction } from "../../runtime/src/conversations/patientRef";
import { emulatorDynamoDbClient } from "../support/dynamoDbTable";
import { E2eStack } from "../support/e2eStack";
import { LossyHttpProxy } from "../support/lossyHttpProxy";
import { startDynamoDbEmulator } from "../support/motoServer";
import type { RuntimeProcess } from "../support/runtimeProcess";

/**
 * Consistency of the DynamoDB path under lost answers and two processes on one table: the
 * faults of issue 15. Bounded: a few dozen requests, no injected sleeps.
 */

const PATIENT_REF_KEY = "e2e-patient-ref-key-0123456789";
const patientRef = patientRefFunction(PATIENT_REF_KEY);
const e2e = new E2eStack();
let proxy: LossyHttpProxy;
let second: RuntimeProcess;
let motoEndpoint = "";

beforeAll(async () => {
  motoEndpoint = (await startDynamoDbEmulator()).endpoint;
  proxy = new LossyHttpProxy(new URL(motoEndpoint));
  await e2e.start({ SELF_MANAGED_OPT_OUTS: "true" }, { dynamoEndpoint: await proxy.start() });
  second = await e2e.startSecondRuntime();
}, 60_000);
afterAll(async () => {
  await second?.stop();
  await e2e.stop();
  await proxy?.stop();
});

const figures = (label: string, values: Record<string, number>) =>
  console.log(
    `${label}: ${Object.entries(values)
      .map(([k, v]) => `${k}=${v}`)
      .join(" ")}`,
  );

const deliverTo = (runtime: RuntimeProcess, envelope: string) =>
  fetch(`${runtime.baseUrl}/sms/webhook`, {
    method: "POST",
    headers: {
      "content-type": "text/plain; charset=UTF-8",
      "x-amz-sns-message-type": "Notification",
    },
    body: envelope,
  });

async function tableItems(): Promise<Record<string, unknown>[]> {
  const client = emulatorDynamoDbClient(motoEndpoint);
  const doc = DynamoDBDocumentClient.from(client);
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await doc.send(new ScanCommand({ TableName: e2e.table, ExclusiveStartKey: start }));
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  client.destroy();
  return items;
}

const sendsTo = (phone: string) =>
  e2e.peer.sends.filter((s) => s.answer === "ok" && s.body.DestinationPhoneNumber === phone);

describe("lost answers: the write applied, the answer did not come back", () => {
  it("an idempotency claim whose answer was lost is recognised as the claimer's own", async () => {
    const phone = "+14255550160";
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      proxy.loseNextAnswers("PutItem", 1);
      const res = await e2e.agent("POST", "/v1/messages", {
        to: phone,
        body: `claim ${i}`,
        idempotencyKey: `lost-claim-${i}`,
      });
      statuses.push(res.status);
    }
    const replay = await e2e.agent("POST", "/v1/messages", {
      to: phone,
      body: "claim 0",
      idempotencyKey: "lost-claim-0",
    });
    figures("lost claim answers", {
      keys: 5,
      accepted: statuses.filter((s) => s === 202).length,
      texts: sendsTo(phone).length,
    });
    expect(statuses).toEqual(Array(5).fill(202));
    expect(replay.status).toBe(202);
    expect(sendsTo(phone)).toHaveLength(5);
  }, 30_000);

  it("a STOP whose commit answer was lost still gets its audit event and one confirmation", async () => {
    const phone = "+14255550161";
    const [stop] = await e2e.signedDeliveries(phone, ["STOP"]);
    proxy.loseNextAnswers("TransactWriteItems", 1);
    const first = await deliverTo(e2e.runtime, stop!);
    const redelivery = await deliverTo(e2e.runtime, stop!);
    const ref = patientRef(phone);
    const audits = e2e.runtime.output.filter(
      (line) => line.includes('"optout.recorded"') && line.includes(ref),
    );
    const refused = await e2e.agent("POST", "/v1/messages", { to: phone, body: "x" });
    figures("lost STOP commit answer", {
      firstStatus: first.status,
      auditEvents: audits.length,
      confirmations: sendsTo(phone).length,
    });
    expect(first.status).toBe(200);
    expect(redelivery.status).toBe(200);
    expect(audits).toHaveLength(1);
    expect(sendsTo(phone)).toHaveLength(1);
    expect(refused.status).toBe(409);
  }, 30_000);
});

describe("two processes on one table", () => {
  it("START and STOP at about the same time: the newest keyword decides, and sends obey it", async () => {
    const rounds = 8;
    const phones = Array.from({ length: rounds }, (_, i) => `+1425555017${i}`);
    // One at a time: the recorder hands back deliveries in the order they arrive.
    const envelopes: string[][] = [];
    for (const phone of phones)
      envelopes.push(await e2e.signedDeliveries(phone, ["START", "STOP"]));
    for (const [start, stop] of envelopes) {
      const answers = await Promise.all([deliverTo(e2e.runtime, start!), deliverTo(second, stop!)]);
      expect(answers.map((a) => a.status)).toEqual([200, 200]);
    }
    const items = await tableItems();
    let disagreements = 0;
    let acceptedAfterStop = 0;
    for (const phone of phones) {
      const ref = patientRef(phone);
      const keywords = items
        .filter((i) => i.patientRef === ref && (i.kind === "opt_in" || i.kind === "opt_out"))
        .sort((a, b) =>
          `${String(a.receivedAt)}#${String(a.inboundMessageId)}` <
          `${String(b.receivedAt)}#${String(b.inboundMessageId)}`
            ? 1
            : -1,
        );
      const state = items.find((i) => i.pk === `PATIENT#${ref}` && i.sk === "OPTOUT");
      const newestIsStop = keywords[0]?.kind === "opt_out";
      if ((state?.optedOut === true) !== newestIsStop) disagreements += 1;
      const send = await e2e.agent("POST", "/v1/messages", { to: phone, body: "after race" });
      if (newestIsStop && send.status === 202) acceptedAfterStop += 1;
      expect(keywords).toHaveLength(2);
    }
    figures("START/STOP race", { rounds, disagreements, acceptedAfterStop });
    expect(disagreements).toBe(0);
    expect(acceptedAfterStop).toBe(0);
  }, 60_000);

  it("a slot reply and a STOP at about the same time: the conversation ends opted out", async () => {
    const rounds = 8;
    let reopened = 0;
    for (let i = 0; i < rounds; i += 1) {
      const phone = `+1425555018${i}`;
      const started = await e2e.agent("POST", "/v1/conversations", {
        to: phone,
        slots: ["Tue 3:00 PM", "Wed 9:30 AM"],
      });
      const { conversationId } = (await started.json()) as { conversationId: string };
      const [slot, stop] = await e2e.signedDeliveries(phone, ["1", "STOP"]);
      await Promise.all([deliverTo(e2e.runtime, slot!), deliverTo(second, stop!)]);
      const view = (await (
        await e2e.agent("GET", `/v1/conversations/${conversationId}`)
      ).json()) as { status: string; replies: unknown[] };
      if (view.status !== "opted_out") reopened += 1;
      // The slot reply attaches to the conversation only if it was read before the STOP landed.
      expect(view.replies.length).toBeGreaterThanOrEqual(1);
    }
    figures("slot/STOP race", { rounds, reopened });
    expect(reopened).toBe(0);
  }, 60_000);
});
