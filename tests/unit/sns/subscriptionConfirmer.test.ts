import type { SnsSubscriptionMessage } from "../../../runtime/src/sns/snsMessage";
import {
  checkSubscribeUrl,
  ConfirmSubscriptionFailedError,
  HttpsSubscriptionConfirmer,
  SubscribeUrlError,
} from "../../../runtime/src/sns/subscriptionConfirmer";

const TOPIC = "arn:aws:sns:us-east-1:123456789012:eum-sms-inbound";
const TOKEN = "2336412f37fb687f5d51e6e241d09c805a5a57b30d712f79";
const good = `https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${TOPIC}&Token=${TOKEN}`;

const confirmation = (subscribeUrl: string): SnsSubscriptionMessage => ({
  Type: "SubscriptionConfirmation",
  MessageId: "m",
  TopicArn: TOPIC,
  Token: TOKEN,
  Message: "confirm",
  SubscribeURL: subscribeUrl,
  Timestamp: new Date().toISOString(),
  SignatureVersion: "2",
  Signature: "",
  SigningCertURL: "",
});

describe("SubscribeURL checks", () => {
  it("accepts exactly the ConfirmSubscription call for the same topic and token", () => {
    expect(checkSubscribeUrl(confirmation(good)).href).toBe(new URL(good).href);
  });

  it.each([
    ["another host", good.replace("sns.us-east-1.amazonaws.com", "evil.example.com")],
    ["another region", good.replace("us-east-1.amazonaws", "eu-west-1.amazonaws")],
    ["http", good.replace("https:", "http:")],
    ["another action", good.replace("ConfirmSubscription", "Unsubscribe")],
    ["another topic", good.replace("eum-sms-inbound", "other")],
    ["another token", good.replace(TOKEN, "forged")],
    ["a path", good.replace("/?", "/x?")],
    ["the metadata endpoint", "http://169.254.170.2/v2/credentials"],
    ["the China domain for a topic in the aws partition", good.replace(".com/", ".com.cn/")],
  ])("refuses %s", (_what, url) => {
    expect(() => checkSubscribeUrl(confirmation(url))).toThrow(SubscribeUrlError);
  });

  it("GETs the URL without following redirects and fails on a non-200", async () => {
    const calls: { url: string; init?: RequestInit }[] = [];
    let status = 200;
    const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
      calls.push({ url: String(input), ...(init ? { init } : {}) });
      return new Response("<ConfirmSubscriptionResponse/>", { status });
    }) as typeof globalThis.fetch;
    const confirmer = new HttpsSubscriptionConfirmer({ fetch });
    await confirmer.confirm(confirmation(good));
    expect(calls[0]?.init?.redirect).toBe("error");
    status = 403;
    await expect(confirmer.confirm(confirmation(good))).rejects.toThrow("answered 403");
    await expect(confirmer.confirm(confirmation(good.replace("https:", "http:")))).rejects.toThrow(
      SubscribeUrlError,
    );
    expect(calls).toHaveLength(2);
  });
});

describe("SubscribeURL partition", () => {
  it("accepts .amazonaws.com.cn only for a topic in aws-cn, and .amazonaws.com only outside it", () => {
    const cnTopic = "arn:aws-cn:sns:cn-north-1:123456789012:eum-sms-inbound";
    const cnUrl = `https://sns.cn-north-1.amazonaws.com.cn/?Action=ConfirmSubscription&TopicArn=${cnTopic}&Token=${TOKEN}`;
    const cn = { ...confirmation(cnUrl), TopicArn: cnTopic };
    expect(checkSubscribeUrl(cn).hostname).toBe("sns.cn-north-1.amazonaws.com.cn");
    const cnOnDotCom = {
      ...confirmation(cnUrl.replace("amazonaws.com.cn", "amazonaws.com")),
      TopicArn: cnTopic,
    };
    expect(() => checkSubscribeUrl(cnOnDotCom)).toThrow(SubscribeUrlError);
  });
});

describe("ConfirmSubscription outcomes", () => {
  const fetchAnswering = (outcome: number | Error) =>
    (async () => {
      if (outcome instanceof Error) throw outcome;
      return new Response("<Error/>", { status: outcome });
    }) as typeof globalThis.fetch;

  it.each([400, 403, 429, 500, 503])(
    "reports a %s answer as a failed call, not as a bad URL",
    async (status) => {
      const confirmer = new HttpsSubscriptionConfirmer({ fetch: fetchAnswering(status) });
      const outcome = confirmer.confirm(confirmation(good));
      await expect(outcome).rejects.toBeInstanceOf(ConfirmSubscriptionFailedError);
      await expect(outcome).rejects.toMatchObject({ httpStatus: status });
    },
  );

  it("reports a network failure as a failed call, not as a bad URL", async () => {
    const confirmer = new HttpsSubscriptionConfirmer({
      fetch: fetchAnswering(new TypeError("fetch failed")),
    });
    await expect(confirmer.confirm(confirmation(good))).rejects.toBeInstanceOf(
      ConfirmSubscriptionFailedError,
    );
  });

  it("reports a URL that fails the checks as a bad URL, with no request", async () => {
    let calls = 0;
    const fetch = (async () => {
      calls += 1;
      return new Response("", { status: 200 });
    }) as typeof globalThis.fetch;
    const confirmer = new HttpsSubscriptionConfirmer({ fetch });
    await expect(
      confirmer.confirm(confirmation(good.replace("https:", "http:"))),
    ).rejects.toBeInstanceOf(SubscribeUrlError);
    expect(calls).toBe(0);
  });
});
