import { verify } from "node:crypto";
import type { CertificateSource } from "./certificateSource";
import { checkSigningCertUrl } from "./signingCertUrl";
import { snsStringToSign, topicPartition, topicRegion, type SnsMessage } from "./snsMessage";

/** Why a message was refused; stable codes that are safe to log and to return. */
export type SnsRejection =
  | "TOPIC_NOT_ALLOWED"
  | "UNSUPPORTED_SIGNATURE_VERSION"
  | "BAD_TIMESTAMP"
  | "STALE_TIMESTAMP"
  | "BAD_CERT_URL"
  | "CERT_UNAVAILABLE"
  | "BAD_SIGNATURE";

export class SnsVerificationError extends Error {
  constructor(
    readonly reason: SnsRejection,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(detail, options);
    this.name = "SnsVerificationError";
  }
}

export interface SnsVerifierOptions {
  allowedTopicArns: readonly string[];
  certificates: CertificateSource;
  now: () => Date;
  /** SNS retries the same signed message for up to an hour; anything older is a replay. */
  maxAgeMs?: number;
  /** Clock skew tolerated for timestamps slightly in the future. */
  maxFutureSkewMs?: number;
  /** Where the message came from (client address), for the certificate-fetch budget. */
  requester?: string;
}

const ONE_HOUR_MS = 60 * 60 * 1000;
const FIVE_MINUTES_MS = 5 * 60 * 1000;
// A Map, not an object literal: `SignatureVersion` is attacker-controlled, and an object lookup
// would find inherited keys such as "constructor" or "__proto__".
const ALGORITHM: ReadonlyMap<string, string> = new Map([
  ["1", "sha1"],
  ["2", "sha256"],
]);

/**
 * Verifies an SNS message before any work is done on it. Cheap checks that need no request come
 * first, so a forged message pointing at a foreign host causes no outgoing request at all.
 */
export async function verifySnsMessage(
  message: SnsMessage,
  options: SnsVerifierOptions,
): Promise<SnsMessage> {
  if (!options.allowedTopicArns.includes(message.TopicArn)) {
    throw new SnsVerificationError("TOPIC_NOT_ALLOWED", "TopicArn is not allowed");
  }
  const algorithm = ALGORITHM.get(message.SignatureVersion);
  if (algorithm === undefined) {
    throw new SnsVerificationError(
      "UNSUPPORTED_SIGNATURE_VERSION",
      "SignatureVersion must be 1 or 2",
    );
  }
  const sentAt = Date.parse(message.Timestamp);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(message.Timestamp) || Number.isNaN(sentAt)) {
    throw new SnsVerificationError("BAD_TIMESTAMP", "Timestamp is not an ISO 8601 time");
  }
  const now = options.now().getTime();
  if (now - sentAt > (options.maxAgeMs ?? ONE_HOUR_MS)) {
    throw new SnsVerificationError("STALE_TIMESTAMP", "Timestamp is older than allowed");
  }
  if (sentAt - now > (options.maxFutureSkewMs ?? FIVE_MINUTES_MS)) {
    throw new SnsVerificationError("BAD_TIMESTAMP", "Timestamp is in the future");
  }
  const region = topicRegion(message.TopicArn);
  const certUrl = checkSigningCertUrl(
    message.SigningCertURL,
    region ?? "",
    topicPartition(message.TopicArn) ?? "",
  );
  if (!certUrl.ok) throw new SnsVerificationError("BAD_CERT_URL", certUrl.reason);

  let key;
  try {
    key = await options.certificates.publicKeyFor(certUrl.url, options.requester);
  } catch (err) {
    throw new SnsVerificationError("CERT_UNAVAILABLE", "signing certificate unavailable", {
      cause: err,
    });
  }
  const signature = Buffer.from(message.Signature, "base64");
  const valid =
    signature.length > 0 &&
    verify(algorithm, Buffer.from(snsStringToSign(message), "utf8"), key, signature);
  if (!valid) throw new SnsVerificationError("BAD_SIGNATURE", "signature does not verify");
  return message;
}
