import { StoreUnavailableError } from "../../runtime/src/errors";
import { SqliteConversationStore } from "../../runtime/src/store/sqliteStore";
import { deliveryEvent, registrationEvent } from "../support/events";
import { interceptStore } from "../support/interceptStore";
import { inboundNotification, signSnsMessage, TEST_TOPIC_ARN } from "../support/snsSigner";
import {
  agentHeaders,
  buildTestApp,
  EVENTBRIDGE_KEY,
  OUR_NUMBER,
  snsHeaders,
  type TestApp,
} from "../support/testApp";

const PATIENT = "+14255550182";
let t: TestApp;
let n = 0;

beforeEach(async () => {
  t = await buildTestApp();
});
afterEach(async () => {
  await t.app.close();
});

function sms(body: string, extra: Record<string, unknown> = {}) {
  n += 1;
  return {
    originationNumber: PATIENT,
    destinationNumber: OUR_NUMBER,
    messageBody: body,
    inboundMessageId: `inbound-${n}-${Date.now()}`,
    ...extra,
  };
}

const postSns = (payload: unknown, headers: Record<string, string> = snsHeaders()) =>
  t.request({ method: "POST", url: "/sms/webhook", headers, payload: JSON.stringify(payload) });

async function startConversation(slots = ["Tue 3:00 PM", "Wed 9:30 AM", "Thu 1:00 PM"]) {
  const res = await t.request({
    method: "POST",
    url: "/v1/conversations",
    headers: agentHeaders,
    payload: { to: PATIENT, slots },
  });
  expect(res.statusCode).toBe(201);
  return res.json() as { conversationId: string; messageId: string };
}

const getConversation = async (id: string) =>
  (
    await t.request({ method: "GET", url: `/v1/conversations/${id}`, headers: agentHeaders })
  ).json();

describe("POST /sms/webhook from SNS", () => {
  it("stores a verified inbound reply and shows it to the agent", async () => {
    const { conversationId, messageId } = await startConversation();
    const res = await postSns(
      inboundNotification(sms("2", { previousPublishedMessageId: messageId })),
    );
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: "stored" });
    expect(await getConversation(conversationId)).toMatchObject({
      status: "replied",
      selectedSlot: { number: 2, label: "Wed 9:30 AM" },
      replies: [{ text: "2" }],
    });
  });

  it("accepts a delivery without the x-amz-sns-* headers (as moto sends it)", async () => {
    const res = await postSns(inboundNotification(sms("hello")), {
      "content-type": "text/plain; charset=UTF-8",
    });
    expect(res.statusCode).toBe(200);
  });

  it("stores one reply for five concurrent deliveries of the same message", async () => {
    const { conversationId } = await startConversation();
    const message = inboundNotification(sms("see you then"));
    const results = await Promise.all(Array.from({ length: 5 }, () => postSns(message)));
    expect(results.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200]);
    expect(results.map((r) => r.json().status).sort()).toEqual([
      "duplicate",
      "duplicate",
      "duplicate",
      "duplicate",
      "stored",
    ]);
    expect((await getConversation(conversationId)).replies).toHaveLength(1);
  });

  it("treats the same inboundMessageId under a new SNS MessageId as a duplicate", async () => {
    const { conversationId } = await startConversation();
    const body = sms("ok");
    await postSns(inboundNotification(body));
    const again = await postSns(inboundNotification(body));
    expect(again.json()).toEqual({ status: "duplicate" });
    expect((await getConversation(conversationId)).replies).toHaveLength(1);
  });

  it("answers 503 when the store fails, and stores the retry exactly once after recovery", async () => {
    await t.app.close();
    const real = new SqliteConversationStore(":memory:");
    let failing = false;
    const flaky = interceptStore(real, (method, call) =>
      failing && method !== "close" ? Promise.reject(new StoreUnavailableError(method)) : call(),
    );
    t = await buildTestApp({ store: flaky });
    const { conversationId } = await startConversation();
    const message = inboundNotification(sms("1"));
    failing = true;
    const down = await postSns(message);
    expect(down.statusCode).toBe(503);
    expect(down.json()).toMatchObject({ code: "STORE_UNAVAILABLE" });
    expect(down.headers["retry-after"]).toBe("5");
    failing = false;
    const retries = await Promise.all([postSns(message), postSns(message)]);
    expect(retries.map((r) => r.statusCode)).toEqual([200, 200]);
    expect((await getConversation(conversationId)).replies).toEqual([
      expect.objectContaining({ text: "1" }),
    ]);
  });

  it.each([
    [
      "a forged signature",
      () => ({
        ...inboundNotification(sms("x")),
        Signature: Buffer.alloc(256, 1).toString("base64"),
      }),
      403,
      "SNS_BAD_SIGNATURE",
    ],
    [
      "a topic that is not allowed",
      () => inboundNotification(sms("x"), { topicArn: "arn:aws:sns:us-east-1:123456789012:other" }),
      403,
      "SNS_TOPIC_NOT_ALLOWED",
    ],
    [
      "a stale timestamp",
      () => inboundNotification(sms("x"), { timestamp: new Date(Date.now() - 2 * 3600_000) }),
      400,
      "SNS_STALE_TIMESTAMP",
    ],
    [
      "a foreign certificate URL",
      () =>
        signSnsMessage({
          ...inboundNotification(sms("x")),
          SigningCertURL: "https://10.0.0.1/x.pem",
        }),
      403,
      "SNS_BAD_CERT_URL",
    ],
  ])("rejects %s and stores nothing", async (_what, make, status, code) => {
    const res = await postSns(make());
    expect(res.statusCode).toBe(status);
    expect(res.json()).toMatchObject({ code });
    expect(
      t.certificates.requested.every((url) =>
        url.startsWith("https://sns.us-east-1.amazonaws.com/"),
      ),
    ).toBe(true);
  });

  it("answers 503 when the signing certificate cannot be fetched, so SNS retries", async () => {
    const message = signSnsMessage({
      ...inboundNotification(sms("x")),
      SigningCertURL: "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-unknown.pem",
    });
    const res = await postSns(message);
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ code: "SNS_CERT_UNAVAILABLE" });
  });

  it("confirms a subscription only for an allowed topic", async () => {
    const confirmation = (topic: string) =>
      signSnsMessage({
        Type: "SubscriptionConfirmation",
        MessageId: "c-1",
        Token: "token",
        TopicArn: topic,
        Message: "confirm",
        SubscribeURL: `https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${topic}&Token=token`,
        Timestamp: new Date().toISOString(),
      });
    const ok = await postSns(confirmation(TEST_TOPIC_ARN), snsHeaders("SubscriptionConfirmation"));
    expect(ok.json()).toEqual({ status: "confirmed" });
    const other = await postSns(
      confirmation("arn:aws:sns:us-east-1:123456789012:other"),
      snsHeaders("SubscriptionConfirmation"),
    );
    expect(other.statusCode).toBe(403);
    expect(t.confirmer.confirmed.map((m) => m.TopicArn)).toEqual([TEST_TOPIC_ARN]);
  });

  it("acknowledges an UnsubscribeConfirmation", async () => {
    const message = signSnsMessage({
      Type: "UnsubscribeConfirmation",
      MessageId: "u-1",
      Token: "token",
      TopicArn: TEST_TOPIC_ARN,
      Message: "unsubscribed",
      SubscribeURL: "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription",
      Timestamp: new Date().toISOString(),
    });
    const res = await postSns(message, snsHeaders("UnsubscribeConfirmation"));
    expect(res.json()).toEqual({ status: "acknowledged" });
    expect(t.confirmer.confirmed).toHaveLength(0);
  });

  it("rejects a header type that contradicts the body", async () => {
    const res = await postSns(
      inboundNotification(sms("x")),
      snsHeaders("SubscriptionConfirmation"),
    );
    expect(res.statusCode).toBe(400);
  });

  it("rejects a signed Notification whose Message is not an inbound SMS", async () => {
    const message = signSnsMessage({ ...inboundNotification(sms("x")), Message: "not json" });
    const res = await postSns(message);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: "INVALID_INBOUND_SMS" });
  });
});

describe("POST /sms/webhook from EventBridge", () => {
  const postEvent = (event: unknown, key: string | null = EVENTBRIDGE_KEY) =>
    t.request({
      method: "POST",
      url: "/sms/webhook",
      headers: {
        "content-type": "application/json; charset=utf-8",
        "user-agent": "Amazon/EventBridge/ApiDestinations",
        ...(key === null ? {} : { "x-api-key": key }),
      },
      payload: JSON.stringify(event),
    });

  it("records delivery status on the conversation", async () => {
    const { conversationId, messageId } = await startConversation();
    const res = await postEvent(deliveryEvent(messageId, "DELIVERED", true, Date.now()));
    expect(res.json()).toEqual({ status: "recorded" });
    expect((await getConversation(conversationId)).delivery).toEqual({
      status: "DELIVERED",
      final: true,
    });
  });

  it("refuses a missing or wrong API key", async () => {
    for (const key of [null, "", "wrong", `${EVENTBRIDGE_KEY}x`, EVENTBRIDGE_KEY.slice(0, -1)]) {
      const res = await postEvent(deliveryEvent("m", "DELIVERED", true), key);
      expect(res.statusCode).toBe(401);
    }
  });

  it("answers 200 for an unknown message, a registration change and other detail-types", async () => {
    expect((await postEvent(deliveryEvent("not-ours", "DELIVERED", true))).json()).toEqual({
      status: "unknown_message",
    });
    expect((await postEvent(registrationEvent("reg-1", "COMPLETE"))).json()).toEqual({
      status: "recorded",
    });
    await expect(t.store.getRegistrationStatus("reg-1")).resolves.toMatchObject({
      status: "COMPLETE",
    });
    const other = {
      ...deliveryEvent("m", "x", true),
      "detail-type": "Media Message Delivery Status Updated",
    };
    expect((await postEvent(other)).json()).toEqual({ status: "ignored" });
  });

  it("rejects an authenticated but malformed event with 400", async () => {
    const res = await postEvent({ ...deliveryEvent("m", "x", true), detail: { foo: 1 } });
    expect(res.statusCode).toBe(400);
  });
});

describe("POST /sms/webhook input hygiene", () => {
  const post = (payload: string, contentType = "text/plain") =>
    t.request({
      method: "POST",
      url: "/sms/webhook",
      headers: { "content-type": contentType },
      payload,
    });

  it.each([
    ["malformed JSON", "{not json", "text/plain", 400, "INVALID_JSON"],
    ["an empty body", "", "application/json", 400, "INVALID_JSON"],
    ["a form post", "a=b", "application/x-www-form-urlencoded", 415, "UNSUPPORTED_MEDIA_TYPE"],
    [
      "neither SNS nor EventBridge",
      '{"hello":"world"}',
      "application/json",
      400,
      "UNRECOGNISED_CALLER",
    ],
    ["an array", "[1,2]", "application/json", 400, "UNRECOGNISED_CALLER"],
  ])("answers %s with a clear 4xx", async (_what, payload, contentType, status, code) => {
    const res = await post(payload, contentType);
    expect(res.statusCode).toBe(status);
    expect(res.json()).toMatchObject({ code });
  });

  it("refuses a body over the limit with 413", async () => {
    const res = await post(
      JSON.stringify({ Type: "Notification", Message: "x".repeat(70 * 1024) }),
    );
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ code: "BODY_TOO_LARGE" });
  });

  it("quotes nothing of a malformed body back", async () => {
    const res = await post(`{"originationNumber":"${PATIENT}", broken`);
    expect(res.body).not.toContain("4255550182");
  });
});
