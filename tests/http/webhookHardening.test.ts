import { HttpsSubscriptionConfirmer } from "../../runtime/src/sns/subscriptionConfirmer";
import { deliveryEvent } from "../support/events";
import { inboundNotification, signSnsMessage, TEST_TOPIC_ARN } from "../support/snsSigner";
import {
  agentHeaders,
  buildTestApp,
  EVENTBRIDGE_KEY,
  OUR_NUMBER,
  snsHeaders,
  type TestApp,
} from "../support/testApp";

// Regression tests for issue 9 (findings 3 to 8) and issue 8's finding 11.
const PATIENT = "+14255550182";
const PATIENT_DIGITS = "4255550182";
let t: TestApp;

beforeEach(async () => {
  t = await buildTestApp();
});
afterEach(async () => {
  await t.app.close();
});

const postSns = (payload: unknown, headers: Record<string, string> = snsHeaders()) =>
  t.request({ method: "POST", url: "/sms/webhook", headers, payload: JSON.stringify(payload) });
const postEvent = (payload: unknown) =>
  t.request({
    method: "POST",
    url: "/sms/webhook",
    headers: { "content-type": "application/json", "x-api-key": EVENTBRIDGE_KEY },
    payload: JSON.stringify(payload),
  });
const sms = (body: string) => ({
  originationNumber: PATIENT,
  destinationNumber: OUR_NUMBER,
  messageBody: body,
  inboundMessageId: `inbound-${Math.random()}`,
});

async function sentMessageId(): Promise<string> {
  const res = await t.request({
    method: "POST",
    url: "/v1/messages",
    headers: agentHeaders,
    payload: { to: PATIENT, body: "Your appointment is confirmed." },
  });
  expect(res.statusCode).toBe(202);
  return res.json().messageId as string;
}

const deliveryOf = async (messageId: string) =>
  (
    await t.request({ method: "GET", url: `/v1/messages/${messageId}`, headers: agentHeaders })
  ).json().delivery;

describe("SubscriptionConfirmation outcomes (issue 8, finding 11)", () => {
  const confirmation = () =>
    signSnsMessage({
      Type: "SubscriptionConfirmation",
      MessageId: "0b0a9a8e-5c1c-4f0e-9d4b-6a1d2d3f4e5a",
      Token: "token",
      TopicArn: TEST_TOPIC_ARN,
      Message: "confirm",
      SubscribeURL: `https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${TEST_TOPIC_ARN}&Token=token`,
      Timestamp: new Date().toISOString(),
    });
  const confirmingWith = (fetch: typeof globalThis.fetch) => {
    const real = new HttpsSubscriptionConfirmer({ fetch });
    jest.spyOn(t.confirmer, "confirm").mockImplementation((m) => real.confirm(m));
  };

  it.each([500, 503, 400, 403])(
    "answers 503 (retried by SNS) when ConfirmSubscription answers %s",
    async (status) => {
      confirmingWith((async () => new Response("<Error/>", { status })) as typeof fetch);
      const res = await postSns(confirmation(), snsHeaders("SubscriptionConfirmation"));
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ code: "CONFIRMATION_FAILED" });
      expect(res.headers["retry-after"]).toBeDefined();
    },
  );

  it("answers 503 when the ConfirmSubscription call cannot be made", async () => {
    confirmingWith((async () => {
      throw new TypeError("fetch failed");
    }) as typeof fetch);
    const res = await postSns(confirmation(), snsHeaders("SubscriptionConfirmation"));
    expect(res.statusCode).toBe(503);
  });

  it("answers 403 only for a SubscribeURL that fails the checks, with no request made", async () => {
    let calls = 0;
    confirmingWith((async () => {
      calls += 1;
      return new Response("", { status: 200 });
    }) as typeof fetch);
    const message = signSnsMessage({
      ...confirmation(),
      SubscribeURL: `https://sns.us-east-1.amazonaws.com.cn/?Action=ConfirmSubscription&TopicArn=${TEST_TOPIC_ARN}&Token=token`,
    });
    const res = await postSns(message, snsHeaders("SubscriptionConfirmation"));
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: "BAD_SUBSCRIBE_URL" });
    expect(calls).toBe(0);
  });
});

describe("SNS SignatureVersion lookup (finding 3)", () => {
  it.each(["constructor", "__proto__", "toString"])(
    "answers 400 for SignatureVersion %p, with no error log",
    async (version) => {
      const res = await postSns({ ...inboundNotification(sms("1")), SignatureVersion: version });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: "SNS_UNSUPPORTED_SIGNATURE_VERSION" });
      expect(t.logs.join("")).not.toContain('"level":50');
    },
  );
});

describe("SNS certificate host and partition (finding 4)", () => {
  it("refuses a .amazonaws.com.cn certificate host for a topic in the aws partition", async () => {
    const message = signSnsMessage({
      ...inboundNotification(sms("1")),
      SigningCertURL: "https://sns.us-east-1.amazonaws.com.cn/SimpleNotificationService-x.pem",
    });
    const res = await postSns(message);
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: "SNS_BAD_CERT_URL" });
    expect(t.certificates.requested).toEqual([]);
  });
});

describe("EventBridge event times (findings 5 and 6)", () => {
  it.each([1e20, -1e16])("answers 400, not 500, for eventTimestamp %p", async (ts) => {
    const res = await postEvent(deliveryEvent("some-message", "DELIVERED", true, ts));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: "INVALID_EVENT" });
  });

  it("refuses an event dated in 9999, and the real final status then wins", async () => {
    const messageId = await sentMessageId();
    const pinned = await postEvent(deliveryEvent(messageId, "PENDING", false, 253402300799000));
    expect(pinned.statusCode).toBe(400);
    const delivered = await postEvent(deliveryEvent(messageId, "DELIVERED", true, Date.now()));
    expect(delivered.statusCode).toBe(200);
    expect(await deliveryOf(messageId)).toEqual({ status: "DELIVERED", final: true });
  });

  it("lets a final status beat a non-final one dated later (within the allowed skew)", async () => {
    const messageId = await sentMessageId();
    const now = Date.now();
    expect(
      (await postEvent(deliveryEvent(messageId, "PENDING", false, now + 4 * 60_000))).statusCode,
    ).toBe(200);
    expect((await postEvent(deliveryEvent(messageId, "DELIVERED", true, now))).statusCode).toBe(
      200,
    );
    expect(await deliveryOf(messageId)).toEqual({ status: "DELIVERED", final: true });
    // And a later non-final status never replaces a final one.
    await postEvent(deliveryEvent(messageId, "PENDING", false, now + 60_000));
    expect(await deliveryOf(messageId)).toEqual({ status: "DELIVERED", final: true });
  });
});

describe("unauthenticated input in the logs (finding 7)", () => {
  it("does not log a rejected SNS message's MessageId as given", async () => {
    const hostileId = `${PATIENT} ${"x".repeat(60_000)}`;
    const res = await postSns({ ...inboundNotification(sms("1")), MessageId: hostileId });
    expect(res.statusCode).toBe(403);
    const logs = t.logs.join("");
    expect(logs).toContain("sns message rejected");
    expect(logs).not.toContain(PATIENT_DIGITS);
    expect(logs).not.toContain("x".repeat(100));
    expect(Math.max(...t.logs.map((line) => line.length))).toBeLessThan(4096);
  });

  it("logs a genuine-looking SNS MessageId of a rejected message", async () => {
    const message = { ...inboundNotification(sms("1")), Signature: "AAAA" };
    await postSns(message);
    expect(t.logs.join("")).toContain(message.MessageId);
  });

  it("does not log EventBridge fields that fail validation", async () => {
    const hostile = `call ${PATIENT} now`;
    await postEvent({ ...deliveryEvent("m", "DELIVERED", true), id: hostile });
    await postEvent(deliveryEvent(hostile, "DELIVERED", true));
    await postEvent(deliveryEvent("m", hostile, true));
    await postEvent({ ...deliveryEvent("m", "DELIVERED", true), "detail-type": hostile });
    await postEvent({
      ...deliveryEvent("m", "DELIVERED", true),
      source: "aws.other",
      "detail-type": hostile,
    });
    expect(t.logs.join("")).not.toContain(PATIENT_DIGITS);
  });
});

describe("router errors follow the error contract (finding 8)", () => {
  const expectContract = (res: Awaited<ReturnType<TestApp["request"]>>, status: number) => {
    expect(res.statusCode).toBe(status);
    expect(res.headers["cache-control"]).toBe("no-store");
    expect(res.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(Object.keys(res.json()).sort()).toEqual(["code", "message"]);
    expect(res.body).not.toContain(PATIENT_DIGITS);
    const line = t.logs.find((l) => l.includes(res.headers["x-request-id"] ?? "-"));
    expect(line).toBeDefined();
    expect(line).not.toContain(PATIENT_DIGITS);
  };

  it("answers a bad percent-escape with 400 INVALID_URL", async () => {
    const res = await t.request({
      method: "GET",
      url: `/v1/conversations/${PATIENT_DIGITS}%zz`,
      headers: agentHeaders,
    });
    expectContract(res, 400);
    expect(res.json().code).toBe("INVALID_URL");
  });

  it("answers an over-long path parameter with 414 URI_TOO_LONG", async () => {
    const res = await t.request({
      method: "GET",
      url: `/v1/messages/${PATIENT_DIGITS}${"9".repeat(200)}`,
      headers: agentHeaders,
    });
    expectContract(res, 414);
    expect(res.json().code).toBe("URI_TOO_LONG");
  });
});
