import { StoreUnavailableError } from "../../runtime/src/errors";
import { SqliteConversationStore } from "../../runtime/src/store/sqliteStore";
import { interceptStore } from "../support/interceptStore";
import { inboundNotification } from "../support/snsSigner";
import {
  agentHeaders,
  buildTestApp,
  OUR_NUMBER,
  snsHeaders,
  type TestApp,
} from "../support/testApp";

/**
 * The conversation service over a store that fails at the worst moments: after a write applied
 * (its answer lost), or between the text and its bookkeeping. Whatever fails, a patient is never
 * texted twice for one idempotency key, and effects owed to a stored STOP still happen.
 */

const PATIENT = "+14255550182";
let t: TestApp;
let n = 0;

type Intercept = (method: string, call: () => Promise<unknown>) => Promise<unknown>;

async function setup(intercept: Intercept, config: { selfManagedOptOuts?: boolean } = {}) {
  const store = interceptStore(new SqliteConversationStore(":memory:"), intercept);
  t = await buildTestApp({ store, config });
}
afterEach(async () => {
  await t?.app.close();
});

const post = (url: string, payload: object) =>
  t.request({ method: "POST", url, headers: agentHeaders, payload });

/** The store applied the write, then the answer was lost. */
const lostAnswer = async (method: string, call: () => Promise<unknown>): Promise<never> => {
  await call();
  throw new StoreUnavailableError(method);
};

/** The SDK retried a write whose first answer was lost: the write is applied twice. */
const retriedAfterLostAnswer = async (call: () => Promise<unknown>): Promise<unknown> => {
  await call();
  return call();
};

function onceFor(method: string, failure: Intercept): Intercept {
  let done = false;
  return (m, call) => {
    if (m !== method || done) return call();
    done = true;
    return failure(m, call);
  };
}

/** An agent that retries 5xx answers with the same key, as the API tells it to. */
async function agentWithRetries(url: string, payload: object, attempts = 4) {
  const answers: number[] = [];
  for (let i = 0; i < attempts; i += 1) {
    const res = await post(url, payload);
    answers.push(res.statusCode);
    if (res.statusCode !== 503) return { answers, last: res };
  }
  throw new Error(`still 503 after ${attempts} attempts`);
}

describe("an idempotency key never texts a patient twice", () => {
  it.each([
    ["/v1/messages", { to: PATIENT, body: "Reminder: Tue 3 PM" }, 202],
    ["/v1/conversations", { to: PATIENT, slots: ["Tue 3:00 PM", "Wed 9:30 AM"] }, 201],
  ])(
    "%s: completing the key fails after the text went out and was recorded",
    async (url, payload, status) => {
      await setup(
        onceFor("completeIdempotencyKey", (m) => Promise.reject(new StoreUnavailableError(m))),
      );
      const body = { ...payload, idempotencyKey: `complete-fails-${status}` };
      const first = await post(url, body);
      // The text went out: the agent learns it did, not "retry".
      expect(first.statusCode).toBe(status);
      expect(first.json()).toMatchObject({ messageId: t.gateway.sent[0]?.messageId });
      const retry = await post(url, body);
      expect(retry.statusCode).toBe(409);
      expect(retry.json()).toMatchObject({ code: "IDEMPOTENCY_IN_PROGRESS" });
      expect(t.gateway.sent).toHaveLength(1);
      expect(t.logs.join("")).toMatch(/idempotency key could not be completed/);
    },
  );

  it("/v1/conversations: recording and linking the slots message fails after the send", async () => {
    await setup(onceFor("recordOutbound", (m) => Promise.reject(new StoreUnavailableError(m))));
    const body = { to: PATIENT, slots: ["Tue 3:00 PM"], idempotencyKey: "link-fails" };
    const first = await post("/v1/conversations", body);
    expect(first.statusCode).toBe(502);
    expect(first.json()).toMatchObject({ code: "SENT_NOT_RECORDED" });
    const retry = await post("/v1/conversations", body);
    expect(retry.statusCode).toBe(409);
    expect(t.gateway.sent).toHaveLength(1);
  });

  it("/v1/conversations: linking the slots message to the conversation fails after the send", async () => {
    // The link used to be a write of its own (setConversationMessage), after the send.
    await setup(
      onceFor("setConversationMessage", (m) => Promise.reject(new StoreUnavailableError(m))),
    );
    const body = { to: PATIENT, slots: ["Tue 3:00 PM"], idempotencyKey: "set-message-fails" };
    const first = await post("/v1/conversations", body);
    expect(first.statusCode).not.toBe(503);
    await post("/v1/conversations", body);
    expect(t.gateway.sent).toHaveLength(1);
  });

  it.each([
    ["/v1/messages", "completeIdempotencyKey"],
    ["/v1/messages", "recordOutbound"],
    ["/v1/messages", "claimIdempotencyKey"],
    ["/v1/conversations", "completeIdempotencyKey"],
    ["/v1/conversations", "recordOutbound"],
    ["/v1/conversations", "createConversation"],
  ])(
    "%s with %s applied but its answer lost: an agent retrying its 503s sends once",
    async (url, method) => {
      await setup(onceFor(method, lostAnswer));
      const payload =
        url === "/v1/messages"
          ? { to: PATIENT, body: "Reminder", idempotencyKey: `slow-${method}` }
          : { to: PATIENT, slots: ["Tue"], idempotencyKey: `slow-${method}` };
      await agentWithRetries(url, payload);
      const again = await post(url, payload);
      expect(t.gateway.sent.length).toBeLessThanOrEqual(1);
      expect(again.statusCode).not.toBe(503);
    },
  );

  it("recognises its own claim after the claim's answer was lost and the SDK retried", async () => {
    await setup(onceFor("claimIdempotencyKey", (_m, call) => retriedAfterLostAnswer(call)));
    const res = await post("/v1/messages", { to: PATIENT, body: "x", idempotencyKey: "own" });
    expect(res.statusCode).toBe(202);
    expect(t.gateway.sent).toHaveLength(1);
  });

  it("says so when releasing a key fails, and never releases one a text went out for", async () => {
    await setup((method, call) => {
      if (method === "releaseIdempotencyKey")
        return Promise.reject(new StoreUnavailableError(method));
      return call();
    });
    t.gateway.failures.push("spend_limit");
    const res = await post("/v1/messages", { to: PATIENT, body: "x", idempotencyKey: "rel" });
    expect(res.statusCode).toBe(503);
    expect(t.logs.join("")).toMatch(/idempotency key could not be released/);
    expect(t.logs.join("")).not.toContain(PATIENT);
  });

  it("fingerprints a canonical form: the same request with keys reordered replays", async () => {
    await setup((_m, call) => call());
    const first = await t.request({
      method: "POST",
      url: "/v1/conversations",
      headers: { ...agentHeaders, "content-type": "application/json" },
      payload: `{"to":"${PATIENT}","slots":["Tue","Wed"],"intro":"Hi","idempotencyKey":"order"}`,
    });
    const reordered = await t.request({
      method: "POST",
      url: "/v1/conversations",
      headers: { ...agentHeaders, "content-type": "application/json" },
      payload: `{"idempotencyKey":"order","intro":"Hi","slots":["Tue","Wed"],"to":"${PATIENT}"}`,
    });
    expect(first.statusCode).toBe(201);
    expect(reordered.statusCode).toBe(201);
    expect(reordered.json()).toEqual(first.json());
    expect(t.gateway.sent).toHaveLength(1);
    const different = await post("/v1/conversations", {
      slots: ["Wed", "Tue"],
      to: PATIENT,
      intro: "Hi",
      idempotencyKey: "order",
    });
    expect(different.statusCode).toBe(422);
  });
});

describe("the agent's own conversation after a lost createConversation answer", () => {
  it("is recognised when the SDK retried the write", async () => {
    await setup(onceFor("createConversation", (_m, call) => retriedAfterLostAnswer(call)));
    const res = await post("/v1/conversations", {
      to: PATIENT,
      slots: ["Tue"],
      conversationId: "conv-own-1",
    });
    expect(res.statusCode).toBe(201);
    expect(t.gateway.sent).toHaveLength(1);
  });

  it("is recognised when the agent retries the 503 with the same key", async () => {
    await setup(onceFor("createConversation", lostAnswer));
    const body = {
      to: PATIENT,
      slots: ["Tue"],
      conversationId: "conv-own-2",
      idempotencyKey: "conv-own-2",
    };
    const { answers, last } = await agentWithRetries("/v1/conversations", body);
    expect(answers).toEqual([503, 201]);
    expect(last.json()).toMatchObject({ conversationId: "conv-own-2" });
    expect(t.gateway.sent).toHaveLength(1);
    // Another request for the same id is still refused.
    const other = await post("/v1/conversations", { ...body, idempotencyKey: "someone-else" });
    expect(other.json()).toMatchObject({ code: "CONVERSATION_EXISTS" });
  });
});

describe("effects owed to a stored STOP (outbox)", () => {
  async function deliver(inboundMessageId: string, body: string) {
    n += 1;
    return t.request({
      method: "POST",
      url: "/sms/webhook",
      headers: snsHeaders(),
      payload: JSON.stringify(
        inboundNotification(
          {
            originationNumber: PATIENT,
            destinationNumber: OUR_NUMBER,
            messageBody: body,
            inboundMessageId,
          },
          { messageId: `00000000-0000-4000-9000-${String(n).padStart(12, "0")}` },
        ),
      ),
    });
  }

  it("a STOP whose commit answer was lost still gets its audit event and its confirmation, once", async () => {
    await setup(onceFor("recordInbound", lostAnswer), { selfManagedOptOuts: true });
    const first = await deliver("in-stop-lost", "STOP");
    expect(first.statusCode).toBe(503);
    const redelivery = await deliver("in-stop-lost", "STOP");
    expect(redelivery.statusCode).toBe(200);
    const again = await deliver("in-stop-lost", "STOP");
    expect(again.statusCode).toBe(200);
    const optOutEvents = t.audit.events.filter((e) => e.action === "optout.recorded");
    expect(optOutEvents).toHaveLength(1);
    expect(t.gateway.sent.map((s) => s.body)).toEqual(["STOP reply"]);
    const send = await post("/v1/messages", { to: PATIENT, body: "x" });
    expect(send.json()).toMatchObject({ code: "PATIENT_OPTED_OUT" });
  });
});
