import fc from "fast-check";
import { snsStringToSign, type SnsMessage } from "../../../runtime/src/sns/snsMessage";

const text = fc.string({ maxLength: 40 });

/** Reads `Key\nValue\n` pairs back, given the keys expected (values may contain newlines). */
function decode(
  signed: string,
  keys: string[],
  values: Record<string, string>,
): Record<string, string> {
  const out: Record<string, string> = {};
  let rest = signed;
  for (const key of keys) {
    const value = values[key] as string;
    const expected = `${key}\n${value}\n`;
    if (!rest.startsWith(expected)) throw new Error(`field ${key} not where expected`);
    out[key] = value;
    rest = rest.slice(expected.length);
  }
  if (rest !== "") throw new Error("trailing data");
  return out;
}

describe("snsStringToSign (property)", () => {
  it("signs Notification fields in AWS order, Subject only when present", () => {
    fc.assert(
      fc.property(
        text,
        text,
        fc.option(text, { nil: undefined }),
        text,
        text,
        (message, id, subject, ts, arn) => {
          const n = {
            Type: "Notification",
            Message: message,
            MessageId: id,
            Timestamp: ts,
            TopicArn: arn,
            ...(subject === undefined ? {} : { Subject: subject }),
            // Unsigned fields must not change the string.
            SignatureVersion: "2",
            Signature: "sig",
            SigningCertURL: "https://example",
            UnsubscribeURL: "https://example/u",
          } as SnsMessage;
          const keys = [
            "Message",
            "MessageId",
            ...(subject === undefined ? [] : ["Subject"]),
            "Timestamp",
            "TopicArn",
            "Type",
          ];
          const signed = snsStringToSign(n);
          expect(decode(signed, keys, n as unknown as Record<string, string>)).toBeDefined();
          expect(signed.endsWith("\n")).toBe(true);
        },
      ),
    );
  });

  it("signs confirmation fields in AWS order, including SubscribeURL and Token", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("SubscriptionConfirmation", "UnsubscribeConfirmation"),
        text,
        text,
        text,
        text,
        text,
        text,
        (type, message, id, url, ts, token, arn) => {
          const c = {
            Type: type,
            Message: message,
            MessageId: id,
            SubscribeURL: url,
            Timestamp: ts,
            Token: token,
            TopicArn: arn,
            SignatureVersion: "1",
            Signature: "s",
            SigningCertURL: "u",
          } as SnsMessage;
          const keys = [
            "Message",
            "MessageId",
            "SubscribeURL",
            "Timestamp",
            "Token",
            "TopicArn",
            "Type",
          ];
          expect(
            decode(snsStringToSign(c), keys, c as unknown as Record<string, string>),
          ).toBeDefined();
        },
      ),
    );
  });

  it("differs whenever a signed field differs", () => {
    fc.assert(
      fc.property(text, text, (a, b) => {
        fc.pre(a !== b);
        const base = {
          Type: "Notification",
          MessageId: "m",
          Timestamp: "t",
          TopicArn: "arn",
          SignatureVersion: "2",
          Signature: "",
          SigningCertURL: "",
        };
        const one = snsStringToSign({ ...base, Message: a } as SnsMessage);
        const two = snsStringToSign({ ...base, Message: b } as SnsMessage);
        expect(one).not.toBe(two);
      }),
    );
  });
});
