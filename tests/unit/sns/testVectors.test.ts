import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseSnsMessage, type SnsMessage } from "../../../runtime/src/sns/snsMessage";
import { SnsVerificationError, verifySnsMessage } from "../../../runtime/src/sns/verifySnsMessage";
import { fixturesDir } from "../../support/paths";
import { StaticCertificateSource } from "../../support/staticCertificateSource";

// Genuine messages signed by Amazon SNS (v1 and v2; with and without Subject; subscription and
// unsubscribe confirmations), with their certificates: see tests/fixtures/sns/README.md.
const vectorsDir = join(fixturesDir, "sns");
const vectors = readdirSync(vectorsDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => {
    const dir = join(vectorsDir, entry.name);
    const message = parseSnsMessage(JSON.parse(readFileSync(join(dir, "message.json"), "utf8")));
    return { name: entry.name, message, certPem: readFileSync(join(dir, "cert.pem"), "utf8") };
  });

function verifyAtOwnTime(message: SnsMessage, original: SnsMessage, certPem: string) {
  // "now" is the message's own time, so the (long expired) certificates were valid then.
  const now = () => new Date(original.Timestamp);
  return verifySnsMessage(message, {
    allowedTopicArns: [message.TopicArn, original.TopicArn],
    certificates: new StaticCertificateSource(new Map([[original.SigningCertURL, certPem]]), now),
    now,
  });
}

const SIGNED_FIELDS: Record<SnsMessage["Type"], string[]> = {
  Notification: ["Message", "MessageId", "Subject", "Timestamp", "TopicArn"],
  SubscriptionConfirmation: [
    "Message",
    "MessageId",
    "SubscribeURL",
    "Timestamp",
    "Token",
    "TopicArn",
  ],
  UnsubscribeConfirmation: [
    "Message",
    "MessageId",
    "SubscribeURL",
    "Timestamp",
    "Token",
    "TopicArn",
  ],
};

describe("AWS-signed SNS test vectors", () => {
  it("finds all sixteen vectors, both signature versions and all three types", () => {
    expect(vectors).toHaveLength(16);
    expect(new Set(vectors.map((v) => v.message.SignatureVersion))).toEqual(new Set(["1", "2"]));
    expect(new Set(vectors.map((v) => v.message.Type))).toEqual(
      new Set(["Notification", "SubscriptionConfirmation", "UnsubscribeConfirmation"]),
    );
  });

  it.each(vectors.map((v) => [v.name, v] as const))("accepts %s", async (_name, v) => {
    await expect(verifyAtOwnTime(v.message, v.message, v.certPem)).resolves.toBe(v.message);
  });

  const tamperings = vectors.flatMap((v) =>
    SIGNED_FIELDS[v.message.Type]
      .filter(
        (field) => typeof (v.message as unknown as Record<string, unknown>)[field] === "string",
      )
      .map((field) => [v.name, field, v] as const),
  );

  it.each(tamperings)("rejects %s with %s changed", async (_name, field, v) => {
    const original = v.message as unknown as Record<string, string>;
    const value = original[field] as string;
    // Keep the changed value well-formed so the signature, not a format check, is what fails.
    const changed =
      field === "Timestamp"
        ? new Date(Date.parse(value) + 1000).toISOString()
        : field === "TopicArn"
          ? `${value}x`
          : `${value.slice(0, -1)}${value.endsWith("0") ? "1" : "0"}`;
    const tampered = { ...v.message, [field]: changed } as SnsMessage;
    await expect(verifyAtOwnTime(tampered, v.message, v.certPem)).rejects.toMatchObject({
      reason: "BAD_SIGNATURE",
    });
  });

  it("rejects a vector whose Subject was added or removed", async () => {
    const withSubject = vectors.find(
      (v) => v.message.Type === "Notification" && "Subject" in v.message,
    );
    const withoutSubject = vectors.find(
      (v) => v.message.Type === "Notification" && !("Subject" in v.message),
    );
    if (!withSubject || !withoutSubject) throw new Error("vectors lack a Subject case");
    const { Subject: _removed, ...stripped } = withSubject.message as SnsMessage & {
      Subject?: string;
    };
    await expect(
      verifyAtOwnTime(stripped as SnsMessage, withSubject.message, withSubject.certPem),
    ).rejects.toBeInstanceOf(SnsVerificationError);
    const added = { ...withoutSubject.message, Subject: "added" } as SnsMessage;
    await expect(
      verifyAtOwnTime(added, withoutSubject.message, withoutSubject.certPem),
    ).rejects.toMatchObject({ reason: "BAD_SIGNATURE" });
  });

  it("rejects a genuine vector an hour and a second after it was sent", async () => {
    const v = vectors.find((x) => x.message.SignatureVersion === "2") ?? vectors[0]!;
    const later = () => new Date(Date.parse(v.message.Timestamp) + 3_601_000);
    await expect(
      verifySnsMessage(v.message, {
        allowedTopicArns: [v.message.TopicArn],
        certificates: new StaticCertificateSource(
          new Map([[v.message.SigningCertURL, v.certPem]]),
          later,
        ),
        now: later,
      }),
    ).rejects.toMatchObject({ reason: "STALE_TIMESTAMP" });
  });
});
