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

const PATIENT = "+14255550182";
let t: TestApp;
let n = 0;

async function setup(config: Parameters<typeof buildTestApp>[0] = {}) {
  t = await buildTestApp(config);
}
beforeEach(() => setup());
afterEach(async () => {
  await t.app.close();
});

const post = (url: string, payload: object, headers: Record<string, string> = agentHeaders) =>
  t.request({ method: "POST", url, headers, payload });
const get = (url: string, headers: Record<string, string> = agentHeaders) =>
  t.request({ method: "GET", url, headers });

async function reply(body: string, extra: Record<string, unknown> = {}, from = PATIENT) {
  n += 1;
  const res = await t.request({
    method: "POST",
    url: "/sms/webhook",
    headers: snsHeaders(),
    payload: JSON.stringify(
      inboundNotification({
        originationNumber: from,
        destinationNumber: OUR_NUMBER,
        messageBody: body,
        inboundMessageId: `in-${n}-${Date.now()}`,
        ...extra,
      }),
    ),
  });
  expect(res.statusCode).toBe(200);
}

describe("agent API authentication", () => {
  it.each([
    ["no header", {}],
    ["a wrong token", { authorization: "Bearer nope" }],
    ["a token prefix", { authorization: `${agentHeaders.authorization.slice(0, -1)}` }],
    ["another scheme", { authorization: agentHeaders.authorization.replace("Bearer", "Basic") }],
  ])("refuses %s with 401", async (_what, headers) => {
    const res = await get("/v1/conversations/x", headers as Record<string, string>);
    expect(res.statusCode).toBe(401);
    expect(res.headers["www-authenticate"]).toMatch(/^Bearer/);
    expect(res.json()).toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("requires JSON bodies", async () => {
    const res = await post(
      "/v1/messages",
      { to: PATIENT, body: "hi" },
      { ...agentHeaders, "content-type": "text/plain" },
    );
    expect(res.statusCode).toBe(415);
  });
});

describe("POST /v1/messages", () => {
  it("sends through the gateway and answers 202 with id, parts and encoding", async () => {
    const res = await post("/v1/messages", {
      to: PATIENT,
      body: "Your appointment is confirmed 👍",
    });
    expect(res.statusCode).toBe(202);
    const sent = t.gateway.sent[0]!;
    expect(res.json()).toEqual({
      messageId: sent.messageId,
      sendId: expect.stringMatching(/^send-[0-9a-f-]{36}$/),
      status: "sent",
      verdict: expect.objectContaining({ decision: "allow" }),
      parts: 1,
      encoding: "UCS2",
    });
    expect(sent).toMatchObject({
      destinationPhoneNumber: PATIENT,
      originationIdentity: OUR_NUMBER,
      configurationSetName: "eum-sms-test",
    });
    expect(JSON.stringify(sent.context)).not.toContain("4255550182");
    await expect(
      get(`/v1/messages/${sent.messageId}`).then((r) => r.json()),
    ).resolves.toMatchObject({
      messageId: sent.messageId,
      delivery: { status: "SENT", final: false },
    });
  });

  it.each([
    [{ to: "4255550182", body: "hi" }, "INVALID_PHONE_NUMBER"],
    [{ to: "+15555550123", body: "hi" }, "INVALID_PHONE_NUMBER"],
    [{ to: PATIENT, body: "   " }, "INVALID_BODY"],
    [{ to: PATIENT, body: "x".repeat(1601) }, "INVALID_REQUEST"],
    [{ to: PATIENT }, "INVALID_REQUEST"],
    [{ to: PATIENT, body: "hi", extra: 1 }, "INVALID_REQUEST"],
    [{ to: PATIENT, body: "hi", idempotencyKey: "has spaces" }, "INVALID_REQUEST"],
  ])("refuses %j with 400 %s", async (payload, code) => {
    const res = await post("/v1/messages", payload);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code });
    expect(res.body).not.toContain("4255550182");
    expect(t.gateway.sent).toHaveLength(0);
  });

  it("sends once for a retried idempotency key and replays the first answer", async () => {
    const payload = { to: PATIENT, body: "Reminder: Tue 3 PM", idempotencyKey: "reminder-42" };
    const first = await post("/v1/messages", payload);
    const again = await Promise.all([post("/v1/messages", payload), post("/v1/messages", payload)]);
    expect(again.map((r) => r.statusCode)).toEqual([202, 202]);
    expect(again.map((r) => r.json())).toEqual([first.json(), first.json()]);
    expect(t.gateway.sent).toHaveLength(1);
  });

  it("refuses the same idempotency key for a different request with 422", async () => {
    await post("/v1/messages", { to: PATIENT, body: "a", idempotencyKey: "k1" });
    const res = await post("/v1/messages", { to: PATIENT, body: "b", idempotencyKey: "k1" });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ code: "IDEMPOTENCY_KEY_REUSED" });
  });

  it("never sends twice when the outcome of the first attempt is unknown", async () => {
    t.gateway.failures.push("unknown");
    const payload = { to: PATIENT, body: "x", idempotencyKey: "k-unknown" };
    const first = await post("/v1/messages", payload);
    expect(first.statusCode).toBe(502);
    expect(first.json()).toMatchObject({ code: "SEND_OUTCOME_UNKNOWN" });
    const retry = await post("/v1/messages", payload);
    expect(retry.statusCode).toBe(409);
    expect(retry.json()).toMatchObject({ code: "SEND_OUTCOME_UNKNOWN" });
    expect(t.gateway.sent).toHaveLength(0);
    // One SendOutcomeUnknown data point (the stack's alarm counts them), with no number or text.
    const metricLines = t.logs
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.metric === "SendOutcomeUnknown");
    expect(metricLines).toHaveLength(1);
    expect(metricLines[0]).toMatchObject({ value: 1 });
    expect(JSON.stringify(metricLines[0])).not.toContain(PATIENT);
  });

  it("never sends twice when the text went out but could not be recorded", async () => {
    await t.app.close();
    const real = new SqliteConversationStore(":memory:");
    let failRecord = true;
    const flaky = interceptStore(real, (method, call) => {
      if (method === "recordOutbound" && failRecord) {
        failRecord = false;
        return Promise.reject(new StoreUnavailableError(method));
      }
      return call();
    });
    await setup({ store: flaky });
    const payload = {
      to: PATIENT,
      body: "Reminder: Tue 3 PM",
      idempotencyKey: "sent-not-recorded",
    };
    const first = await post("/v1/messages", payload);
    expect(first.statusCode).toBe(502);
    expect(first.json()).toMatchObject({ code: "SENT_NOT_RECORDED" });
    const retry = await post("/v1/messages", payload);
    expect(retry.statusCode).toBe(409);
    expect(t.gateway.sent).toHaveLength(1);
  });

  it("lets a request be retried after a failure that certainly sent nothing", async () => {
    t.gateway.failures.push("spend_limit");
    const payload = { to: PATIENT, body: "x", idempotencyKey: "k-spend" };
    const first = await post("/v1/messages", payload);
    expect(first.statusCode).toBe(503);
    expect(first.json()).toMatchObject({ code: "SPEND_LIMIT_REACHED" });
    expect(first.headers["retry-after"]).toBe("3600");
    expect((await post("/v1/messages", payload)).statusCode).toBe(202);
  });

  it.each([
    ["quota_exceeded", 503, "SMS_QUOTA_EXCEEDED"],
    ["rejected", 422, "SMS_REJECTED"],
  ] as const)("maps a gateway %s failure to %i %s", async (kind, status, code) => {
    t.gateway.failures.push(kind, kind, kind, kind, kind);
    const res = await post("/v1/messages", { to: PATIENT, body: "x" });
    expect(res.statusCode).toBe(status);
    expect(res.json()).toMatchObject({ code });
  });

  it("never hands End User Messaging's throttling to the agent: the send is queued", async () => {
    // Issue 12: throttling means nothing was sent, so the send waits for the shared rate.
    t.gateway.failures.push("throttled");
    const res = await post("/v1/messages", { to: PATIENT, body: "x" });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ status: "queued", messageId: res.json().sendId });
    // The app's own worker sends it once the rate allows, and the record says so.
    for (let i = 0; i < 100 && t.gateway.sent.length === 0; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(t.gateway.sent).toHaveLength(1);
    const view = await get(`/v1/messages/${res.json().sendId}`);
    expect(view.json()).toMatchObject({ status: "sent", messageId: t.gateway.sent[0]!.messageId });
  });

  it("mirrors an opt-out reported by End User Messaging and refuses later sends", async () => {
    t.gateway.failures.push("opted_out");
    const res = await post("/v1/messages", { to: PATIENT, body: "x" });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: "DESTINATION_OPTED_OUT" });
    const next = await post("/v1/messages", { to: PATIENT, body: "x" });
    expect(next.json()).toMatchObject({ code: "PATIENT_OPTED_OUT" });
    expect(t.gateway.sent).toHaveLength(0);
  });
});

describe("appointment conversations", () => {
  const slots = ["Tue 3:00 PM", "Wed 9:30 AM", "Thu 1:00 PM"];
  const start = async (extra: object = {}) => {
    const res = await post("/v1/conversations", { to: PATIENT, slots, ...extra });
    expect(res.statusCode).toBe(201);
    return res.json() as { conversationId: string; messageId: string };
  };
  const view = async (id: string) => (await get(`/v1/conversations/${id}`)).json();

  it("sends numbered slots and reports the conversation as awaiting a reply", async () => {
    const { conversationId, messageId } = await start({ intro: "Dr. Lee's office: pick a time." });
    expect(t.gateway.sent[0]).toMatchObject({
      messageId,
      body: "Dr. Lee's office: pick a time.\n1. Tue 3:00 PM\n2. Wed 9:30 AM\n3. Thu 1:00 PM",
      context: { conversationId },
    });
    expect(await view(conversationId)).toEqual({
      conversationId,
      status: "awaiting_reply",
      slots,
      replies: [],
      delivery: { status: "SENT", final: false },
      createdAt: expect.any(String),
    });
  });

  it("matches a reply by previousPublishedMessageId, else to the latest open conversation", async () => {
    const older = await start();
    const newer = await start();
    await reply("1", { previousPublishedMessageId: older.messageId });
    await reply("3");
    expect(await view(older.conversationId)).toMatchObject({
      status: "replied",
      selectedSlot: { number: 1, label: "Tue 3:00 PM" },
    });
    expect(await view(newer.conversationId)).toMatchObject({
      status: "replied",
      selectedSlot: { number: 3, label: "Thu 1:00 PM" },
    });
  });

  it("does not attach a reply from another number through a borrowed message id", async () => {
    const mine = await start();
    await reply("2", { previousPublishedMessageId: mine.messageId }, "+12065550100");
    expect(await view(mine.conversationId)).toMatchObject({
      status: "awaiting_reply",
      replies: [],
    });
  });

  it("keeps free text and out-of-range numbers as replies without choosing a slot", async () => {
    const { conversationId } = await start();
    await reply("WEEKEND works better");
    await reply("7");
    await reply("WEEKEND");
    const v = await view(conversationId);
    expect(v.status).toBe("replied");
    expect(v.selectedSlot).toBeUndefined();
    expect(v.replies.map((r: { text: string }) => r.text)).toEqual([
      "WEEKEND works better",
      "7",
      "WEEKEND",
    ]);
  });

  it("honours STOP until START, and keeps the conversation marked opted out", async () => {
    const { conversationId } = await start();
    await reply(" stop ");
    expect(await view(conversationId)).toMatchObject({ status: "opted_out" });
    const refused = await post("/v1/messages", { to: PATIENT, body: "hello?" });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: "PATIENT_OPTED_OUT" });
    expect((await post("/v1/conversations", { to: PATIENT, slots })).statusCode).toBe(409);
    await reply("START");
    expect((await post("/v1/messages", { to: PATIENT, body: "welcome back" })).statusCode).toBe(
      202,
    );
    expect(await view(conversationId)).toMatchObject({ status: "opted_out" });
  });

  it("answers HELP, STOP and START itself only with self-managed opt-outs", async () => {
    await reply("HELP");
    expect(t.gateway.sent).toHaveLength(0);
    await t.app.close();
    await setup({ config: { selfManagedOptOuts: true } });
    await reply("help");
    await reply("STOP");
    await reply("START");
    expect(t.gateway.sent.map((s) => s.body)).toEqual(["HELP reply", "STOP reply", "START reply"]);
  });

  it("keeps a conversation whose slots may have gone out", async () => {
    t.gateway.failures.push("unknown");
    const res = await post("/v1/conversations", {
      to: PATIENT,
      slots,
      conversationId: "appt-maybe",
    });
    expect(res.statusCode).toBe(502);
    expect((await get("/v1/conversations/appt-maybe")).statusCode).toBe(200);
  });

  it("refuses a conversationId that exists, and deletes one whose slots could not be sent", async () => {
    await start({ conversationId: "appt-1" });
    const again = await post("/v1/conversations", { to: PATIENT, slots, conversationId: "appt-1" });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: "CONVERSATION_EXISTS" });
    t.gateway.failures.push("rejected");
    expect(
      (await post("/v1/conversations", { to: PATIENT, slots, conversationId: "appt-2" }))
        .statusCode,
    ).toBe(422);
    expect((await get("/v1/conversations/appt-2")).statusCode).toBe(404);
  });

  it.each([
    [{ to: PATIENT, slots: [] }],
    [{ to: PATIENT, slots: Array.from({ length: 10 }, (_, i) => `slot ${i}`) }],
    [{ to: PATIENT, slots: [""] }],
    [{ to: PATIENT, slots, conversationId: "has spaces" }],
  ])("refuses %j with 400", async (payload) => {
    expect((await post("/v1/conversations", payload)).statusCode).toBe(400);
  });

  it("audits every read of a conversation, by opaque ids only", async () => {
    const { conversationId } = await start();
    await get(`/v1/conversations/${conversationId}`, {
      ...agentHeaders,
      "x-agent-id": "scheduler-7",
    });
    await get("/v1/conversations/missing");
    const reads = t.audit.events.filter((e) => e.action === "conversation.read");
    expect(reads).toEqual([
      expect.objectContaining({
        actor: "agent:scheduler-7",
        record: `conversation:${conversationId}`,
        outcome: "success",
      }),
      expect.objectContaining({
        actor: "agent",
        record: "conversation:missing",
        outcome: "rejected",
      }),
    ]);
    expect(JSON.stringify(t.audit.events)).not.toContain("4255550182");
  });
});

describe("health", () => {
  it("reports live and ready, and not ready while draining", async () => {
    expect((await get("/healthz", {})).json()).toEqual({ status: "ok" });
    expect((await get("/readyz", {})).json()).toEqual({ status: "ready" });
    t.lifecycle.shuttingDown = true;
    expect((await get("/readyz", {})).statusCode).toBe(503);
  });

  it("is not ready when the store is closed", async () => {
    await t.store.close();
    const res = await get("/readyz", {});
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ status: "store_unavailable" });
  });

  it("answers unknown routes with a JSON 404", async () => {
    const res = await get("/nope", {});
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ code: "NOT_FOUND", message: "no such route" });
  });
});
