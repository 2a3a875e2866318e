import { AppError } from "../errors";
import { countSegments, type SmsEncoding } from "./segments";
import { SmsGatewayError, type SmsGateway } from "./smsGateway";
import { TokenBucket } from "./tokenBucket";

/** The number's shared rate (the outbound queue's pacer), when the sender does not pace alone. */
export interface SharedRateBudget {
  take(parts: number, options: { wait: boolean }): Promise<boolean>;
}

/** Per send: how the caller already paced it and how much throttling it may retry here. */
export interface SendTextOptions {
  /** The caller took this send's rate budget itself: the first attempt does not wait again. */
  prePaced?: boolean;
  /** Overrides `maxThrottleRetries` (0: a throttled send is handed back to the caller). */
  maxThrottleRetries?: number;
}

export interface SmsSenderOptions {
  gateway: SmsGateway;
  originationIdentity: string | undefined;
  configurationSetName: string | undefined;
  partsPerSecond: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Throttling retries after the first attempt. */
  maxThrottleRetries?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** A send that would queue longer than this is refused with 503 instead of holding the caller. */
  maxQueueWaitMs?: number;
  /**
   * The number's rate shared by every task (counted in the store): replaces the in-process
   * bucket, whose limit held per task only.
   */
  sharedRate?: SharedRateBudget;
}

export interface SentText {
  messageId: string;
  parts: number;
  encoding: SmsEncoding;
  /** Throttling retries it took; for metrics and tests. */
  throttleRetries: number;
}

const sleepFor = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms).unref());

/**
 * Paces sends to the origination identity's parts-per-second limit and retries throttling with
 * capped exponential backoff and full jitter. Every other failure is final here: the caller
 * decides what an opt-out or a spend limit means for the conversation.
 */
export class SmsSender {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(private readonly options: SmsSenderOptions) {
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? sleepFor;
    this.random = options.random ?? Math.random;
  }

  async send(
    destinationPhoneNumber: string,
    body: string,
    context: Readonly<Record<string, string>>,
    sendOptions: SendTextOptions = {},
  ): Promise<SentText> {
    const { parts, encoding } = countSegments(body);
    const maxRetries = sendOptions.maxThrottleRetries ?? this.options.maxThrottleRetries ?? 4;
    const base = this.options.baseBackoffMs ?? 250;
    const cap = this.options.maxBackoffMs ?? 4000;
    for (let attempt = 0; ; attempt += 1) {
      if (attempt > 0 || !sendOptions.prePaced) await this.waitForTurn(parts);
      try {
        const { messageId } = await this.options.gateway.sendText({
          destinationPhoneNumber,
          body,
          originationIdentity: this.options.originationIdentity,
          configurationSetName: this.options.configurationSetName,
          context,
        });
        return { messageId, parts, encoding, throttleRetries: attempt };
      } catch (err) {
        const throttled = err instanceof SmsGatewayError && err.kind === "throttled";
        if (!throttled || attempt >= maxRetries) throw err;
        await this.sleep(this.random() * Math.min(cap, base * 2 ** attempt));
      }
    }
  }

  private async waitForTurn(parts: number): Promise<void> {
    if (this.options.sharedRate) {
      await this.options.sharedRate.take(parts, { wait: true });
      return;
    }
    const identity = this.options.originationIdentity ?? "default";
    let bucket = this.buckets.get(identity);
    if (!bucket) {
      bucket = new TokenBucket(this.options.partsPerSecond, this.now);
      this.buckets.set(identity, bucket);
    }
    const maxWait = this.options.maxQueueWaitMs ?? 10_000;
    const wait = bucket.reserve(parts, maxWait);
    if (wait === undefined) {
      throw new AppError(
        "SEND_QUEUE_FULL",
        "the origination number's send rate is saturated; retry later",
        { retryAfterSeconds: Math.ceil(maxWait / 1000) },
      );
    }
    if (wait > 0) await this.sleep(wait);
  }
}
