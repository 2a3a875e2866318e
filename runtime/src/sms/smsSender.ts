import { countSegments, type SmsEncoding } from "./segments";
import { SmsGatewayError, type SmsGateway } from "./smsGateway";

/** The number's rate shared by every task (the outbound queue's `RatePacer`). */
export interface SharedRateBudget {
  /** Resolves once `parts` may go (without `maxWaitMs` it waits as long as it takes). */
  take(parts: number): Promise<boolean>;
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
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Throttling retries after the first attempt. */
  maxThrottleRetries?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** The number's rate, counted in the store across every task; the sender has no other. */
  sharedRate: SharedRateBudget;
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
 * Sends one text through the gateway and retries throttling with capped exponential backoff and
 * full jitter. Every other failure is final here: the caller decides what an opt-out or a spend
 * limit means for the conversation. It does no pacing of its own: each attempt takes its parts
 * from the shared rate (`sharedRate`), except a first attempt the caller already paced
 * (`prePaced`: the outbound queue's executor, which books its slot before `markCallStarted`).
 */
export class SmsSender {
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(private readonly options: SmsSenderOptions) {
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
      if (attempt > 0 || !sendOptions.prePaced) await this.options.sharedRate.take(parts);
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
}
