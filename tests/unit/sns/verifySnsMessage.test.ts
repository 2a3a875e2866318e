import { HttpsCertificateSource } from "../../../runtime/src/sns/certificateSource";
import { checkSigningCertUrl } from "../../../runtime/src/sns/signingCertUrl";
import type { SnsMessage } from "../../../runtime/src/sns/snsMessage";
import { verifySnsMessage } from "../../../runtime/src/sns/verifySnsMessage";
import {
  inboundNotification,
  localSnsCa,
  signSnsMessage,
  TEST_CERT_URL,
  TEST_TOPIC_ARN,
} from "../../support/snsSigner";

// The local certificate is minted when the tests start, so "now" must come after that.
const NOW = new Date(Date.now() + 60_000);

/** A certificate source whose "network" is a counted fake fetch serving the local test cert. */
function countingSource() {
  const requests: string[] = [];
  const fetch = (async (input: string | URL | Request) => {
    requests.push(String(input));
    return new Response(localSnsCa().certPem, { status: 200 });
  }) as typeof globalThis.fetch;
  return { requests, source: new HttpsCertificateSource({ now: () => NOW, fetch }) };
}

function verify(message: SnsMessage, source = countingSource().source) {
  return verifySnsMessage(message, {
    allowedTopicArns: [TEST_TOPIC_ARN],
    certificates: source,
    now: () => NOW,
  });
}

const sms = {
  originationNumber: "+14255550182",
  destinationNumber: "+12065550100",
  messageBody: "2",
  inboundMessageId: "cae173d2-66b9-564c-8309-21f858e9fb84",
};

describe("verifySnsMessage with a locally generated CA", () => {
  it("accepts SignatureVersion 2 (SHA256) and 1 (SHA1)", async () => {
    const v2 = inboundNotification(sms, { timestamp: NOW });
    await expect(verify(v2)).resolves.toBe(v2);
    const { Signature: _s, ...unsigned } = inboundNotification(sms, { timestamp: NOW });
    const v1 = signSnsMessage({ ...unsigned, SignatureVersion: "1" });
    await expect(verify(v1)).resolves.toBe(v1);
  });

  it("accepts a signed SubscriptionConfirmation", async () => {
    const confirmation = signSnsMessage({
      Type: "SubscriptionConfirmation",
      MessageId: "165545c9-2a5c-472c-8df2-7ff2be2b3b1b",
      Token:
        "2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a747ba6f3beb71854e285d6ad02428b09ceece29417f1f02d609c582afbacc99c583a916b9981dd2728f4ae6fdb82efd087cc3b7849e05798d2d2785c03b0879594eeac82c01f235d0e717736",
      TopicArn: TEST_TOPIC_ARN,
      Message: "You have chosen to subscribe to the topic.",
      SubscribeURL: `https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${TEST_TOPIC_ARN}&Token=x`,
      Timestamp: NOW.toISOString(),
    });
    await expect(verify(confirmation)).resolves.toBe(confirmation);
  });

  it("rejects a tampered message", async () => {
    const message = inboundNotification(sms, { timestamp: NOW });
    const tampered = { ...message, Message: message.Message.replace('"2"', '"3"') };
    await expect(verify(tampered)).rejects.toMatchObject({ reason: "BAD_SIGNATURE" });
  });

  it("rejects a message signed by another key", async () => {
    const { keyPem: _unused, ...ca } = localSnsCa();
    const { generateKeyPairSync } = await import("node:crypto");
    const other = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({
      type: "pkcs8",
      format: "pem",
    }) as string;
    const { Signature: _s, ...unsigned } = inboundNotification(sms, { timestamp: NOW });
    expect(ca.certPem).toContain("BEGIN CERTIFICATE");
    await expect(verify(signSnsMessage(unsigned, other))).rejects.toMatchObject({
      reason: "BAD_SIGNATURE",
    });
  });

  it("rejects a validly signed message for a topic that is not allowed, with no request", async () => {
    const { requests, source } = countingSource();
    const message = inboundNotification(sms, {
      timestamp: NOW,
      topicArn: "arn:aws:sns:us-east-1:123456789012:someone-elses-topic",
    });
    await expect(verify(message, source)).rejects.toMatchObject({ reason: "TOPIC_NOT_ALLOWED" });
    expect(requests).toEqual([]);
  });

  it("rejects a timestamp older than one hour, and one far in the future", async () => {
    const stale = inboundNotification(sms, { timestamp: new Date(NOW.getTime() - 3_601_000) });
    await expect(verify(stale)).rejects.toMatchObject({ reason: "STALE_TIMESTAMP" });
    const justInside = inboundNotification(sms, { timestamp: new Date(NOW.getTime() - 3_599_000) });
    await expect(verify(justInside)).resolves.toBe(justInside);
    const future = inboundNotification(sms, { timestamp: new Date(NOW.getTime() + 600_000) });
    await expect(verify(future)).rejects.toMatchObject({ reason: "BAD_TIMESTAMP" });
  });

  it.each(["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"])(
    "rejects SignatureVersion %p as unsupported (no inherited key is an algorithm)",
    async (version) => {
      const message = {
        ...inboundNotification(sms, { timestamp: NOW }),
        SignatureVersion: version,
      };
      await expect(verify(message)).rejects.toMatchObject({
        reason: "UNSUPPORTED_SIGNATURE_VERSION",
      });
    },
  );

  it("rejects an unknown SignatureVersion", async () => {
    const message = { ...inboundNotification(sms, { timestamp: NOW }), SignatureVersion: "3" };
    await expect(verify(message)).rejects.toMatchObject({
      reason: "UNSUPPORTED_SIGNATURE_VERSION",
    });
  });

  const badUrls: [string, string][] = [
    ["a foreign host", "https://evil.example.com/SimpleNotificationService-abc.pem"],
    ["plain http", "http://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem"],
    ["no .pem", "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.crt"],
    [
      "an S3 bucket named sns",
      "https://sns.s3-us-east-1.amazonaws.com/SimpleNotificationService-abc.pem",
    ],
    [".pem only in the query", "https://sns.us-east-1.amazonaws.com/?Action=x&f=.pem"],
    ["userinfo", "https://user@sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem"],
    ["a fragment", "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem#x"],
    ["a port", "https://sns.us-east-1.amazonaws.com:8443/SimpleNotificationService-abc.pem"],
    ["another region", "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-abc.pem"],
    ["a loopback address", "https://127.0.0.1/SimpleNotificationService-abc.pem"],
    ["the metadata address", "https://169.254.169.254/latest.pem"],
    ["a lookalike suffix", "https://sns.us-east-1.amazonaws.com.evil.com/x.pem"],
    ["a nested path", "https://sns.us-east-1.amazonaws.com/a/b.pem"],
    [
      "the China domain for a topic in the aws partition",
      "https://sns.us-east-1.amazonaws.com.cn/SimpleNotificationService-abc.pem",
    ],
  ];

  it.each(badUrls)("rejects a certificate URL with %s, making no request", async (_what, url) => {
    const { requests, source } = countingSource();
    const message = signSnsMessage({
      ...inboundNotification(sms, { timestamp: NOW }),
      SigningCertURL: url,
    });
    await expect(verify(message, source)).rejects.toMatchObject({ reason: "BAD_CERT_URL" });
    expect(requests).toEqual([]);
  });

  it("fetches the certificate once for many concurrent messages", async () => {
    const { requests, source } = countingSource();
    const messages = Array.from({ length: 50 }, () => inboundNotification(sms, { timestamp: NOW }));
    await Promise.all(messages.map((m) => verify(m, source)));
    expect(requests).toEqual([TEST_CERT_URL]);
  });
});

describe("checkSigningCertUrl", () => {
  it("accepts the AWS shapes, including China regions", () => {
    expect(checkSigningCertUrl(TEST_CERT_URL, "us-east-1", "aws").ok).toBe(true);
    expect(
      checkSigningCertUrl(
        "https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-a.pem",
        "cn-north-1",
        "aws-cn",
      ).ok,
    ).toBe(true);
    expect(
      checkSigningCertUrl(
        "https://sns.us-gov-west-1.amazonaws.com/SimpleNotificationService-a.pem",
        "us-gov-west-1",
        "aws-us-gov",
      ).ok,
    ).toBe(true);
  });

  it("ties the domain to the topic's partition", () => {
    const cn = "https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-a.pem";
    expect(checkSigningCertUrl(cn, "cn-north-1", "aws")).toMatchObject({ ok: false });
    expect(
      checkSigningCertUrl(cn.replace(".com.cn", ".com"), "cn-north-1", "aws-cn"),
    ).toMatchObject({ ok: false });
    expect(checkSigningCertUrl(TEST_CERT_URL, "us-east-1", "aws-cn")).toMatchObject({ ok: false });
    expect(checkSigningCertUrl(TEST_CERT_URL, "us-east-1", "aws-iso")).toMatchObject({ ok: false });
  });

  it("rejects a bare trailing question mark that URL parsing would drop", () => {
    expect(checkSigningCertUrl(`${TEST_CERT_URL}?`, "us-east-1", "aws")).toMatchObject({
      ok: false,
    });
  });
});
