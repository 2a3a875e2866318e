import {
  snsDnsSuffix,
  topicPartition,
  topicRegion,
  type SnsSubscriptionMessage,
} from "./snsMessage";

/** Confirms an SNS subscription whose SubscriptionConfirmation has already been verified. */
export interface SubscriptionConfirmer {
  confirm(message: SnsSubscriptionMessage): Promise<void>;
}

/** The SubscribeURL fails the checks: final, the caller answers 4xx. */
export class SubscribeUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SubscribeUrlError";
  }
}

/**
 * The checked ConfirmSubscription call failed or did not answer 200 (throttling, a 5xx, a
 * timeout): possibly transient, so the caller answers 5xx and SNS delivers the confirmation again.
 */
export class ConfirmSubscriptionFailedError extends Error {
  constructor(
    message: string,
    readonly httpStatus?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "ConfirmSubscriptionFailedError";
  }
}

/**
 * The SubscribeURL is only fetched when it is exactly the SNS ConfirmSubscription call for the
 * same, allowed topic in the topic's own region: blindly fetching it is a known SSRF
 * (CVE-2026-32096, CVE-2019-6715), and on Fargate an SSRF can reach the task credentials endpoint.
 */
export function checkSubscribeUrl(message: SnsSubscriptionMessage): URL {
  const region = topicRegion(message.TopicArn);
  let url: URL;
  try {
    url = new URL(message.SubscribeURL);
  } catch {
    throw new SubscribeUrlError("SubscribeURL is not a URL");
  }
  const suffix = snsDnsSuffix(topicPartition(message.TopicArn) ?? "");
  const expectedHosts =
    region === undefined || suffix === undefined ? [] : [`sns.${region}.${suffix}`];
  if (
    url.protocol !== "https:" ||
    url.username !== "" ||
    url.password !== "" ||
    url.port !== "" ||
    url.hash !== "" ||
    !expectedHosts.includes(url.hostname) ||
    url.pathname !== "/" ||
    url.searchParams.get("Action") !== "ConfirmSubscription" ||
    url.searchParams.get("TopicArn") !== message.TopicArn ||
    url.searchParams.get("Token") !== message.Token
  ) {
    throw new SubscribeUrlError(
      "SubscribeURL is not the SNS ConfirmSubscription call for this topic",
    );
  }
  return url;
}

export class HttpsSubscriptionConfirmer implements SubscriptionConfirmer {
  constructor(
    private readonly options: { fetch?: typeof globalThis.fetch; timeoutMs?: number } = {},
  ) {}

  async confirm(message: SnsSubscriptionMessage): Promise<void> {
    const url = checkSubscribeUrl(message);
    const fetchImpl = this.options.fetch ?? globalThis.fetch;
    let response: Response;
    try {
      response = await fetchImpl(url, {
        redirect: "error",
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 3000),
      });
    } catch (err) {
      throw new ConfirmSubscriptionFailedError("ConfirmSubscription request failed", undefined, {
        cause: err,
      });
    }
    await response.body?.cancel();
    if (response.status !== 200) {
      throw new ConfirmSubscriptionFailedError(
        `ConfirmSubscription answered ${response.status}`,
        response.status,
      );
    }
  }
}
