import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { sign, type KeyObject } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { snsStringToSign, type SnsMessage } from "../../runtime/src/sns/snsMessage";

export interface LocalSnsCa {
  /** PEM of a signing certificate for CN=sns.amazonaws.com issued by a local CA. */
  certPem: string;
  keyPem: string;
}

const cached = new Map<number, LocalSnsCa>();

/**
 * A local CA and an SNS-like signing certificate made with openssl, once per test process and key
 * size, so signature tests exercise real X.509 parsing without any network. SNS signs with a
 * 2048-bit RSA key; the memory soak uses 1024 bits to sign fast enough (`bench/signedBodyStream.ts`).
 */
export function localSnsCa(keyBits = 2048): LocalSnsCa {
  const known = cached.get(keyBits);
  if (known) return known;
  const dir = mkdtempSync(join(tmpdir(), "sns-ca-"));
  const run = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  try {
    run(
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      "ca.key",
      "-out",
      "ca.pem",
      "-days",
      "3650",
      "-subj",
      "/CN=Local Test SNS CA",
    );
    run(
      "req",
      "-newkey",
      `rsa:${keyBits}`,
      "-nodes",
      "-keyout",
      "sns.key",
      "-out",
      "sns.csr",
      "-subj",
      "/C=US/O=Amazon/CN=sns.amazonaws.com",
    );
    writeFileSync(join(dir, "ext.cnf"), "basicConstraints=CA:FALSE\n");
    run(
      "x509",
      "-req",
      "-in",
      "sns.csr",
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      "sns.pem",
      "-days",
      "3650",
      "-extfile",
      "ext.cnf",
    );
    const ca = {
      certPem: readFileSync(join(dir, "sns.pem"), "utf8"),
      keyPem: readFileSync(join(dir, "sns.key"), "utf8"),
    };
    cached.set(keyBits, ca);
    return ca;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const TEST_TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:eum-sms-inbound";
export const TEST_CERT_URL =
  "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem";

/** Any SNS message's fields; SignatureVersion and SigningCertURL default, Signature is made. */
type Unsigned = { Type: SnsMessage["Type"] } & Record<string, unknown>;

/** Signs an SNS message the way SNS does, with the local test certificate's key (or `key`). */
export function signSnsMessage(
  unsigned: Unsigned,
  key: string | KeyObject = localSnsCa().keyPem,
): SnsMessage {
  const message = {
    SignatureVersion: "2",
    SigningCertURL: TEST_CERT_URL,
    ...unsigned,
    Signature: "",
  } as unknown as SnsMessage;
  const algorithm = message.SignatureVersion === "1" ? "sha1" : "sha256";
  message.Signature = sign(algorithm, Buffer.from(snsStringToSign(message), "utf8"), key).toString(
    "base64",
  );
  return message;
}

let counter = 0;

/** A signed SNS Notification carrying an inbound SMS, as End User Messaging publishes it. */
export function inboundNotification(
  sms: Record<string, unknown>,
  options: { messageId?: string; timestamp?: Date; topicArn?: string; key?: KeyObject } = {},
): SnsMessage {
  counter += 1;
  return signSnsMessage(
    {
      Type: "Notification",
      MessageId:
        options.messageId ?? `00000000-0000-4000-8000-${String(counter).padStart(12, "0")}`,
      TopicArn: options.topicArn ?? TEST_TOPIC_ARN,
      Message: JSON.stringify(sms),
      Timestamp: (options.timestamp ?? new Date()).toISOString(),
      UnsubscribeURL: "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe",
    },
    options.key,
  );
}
