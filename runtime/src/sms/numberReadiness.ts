import {
  DescribePhoneNumbersCommand,
  type PinpointSMSVoiceV2Client,
} from "@aws-sdk/client-pinpoint-sms-voice-v2";
import type { Logger } from "pino";

/** What /readyz reports about the origination number (never the number itself: PHI rules). */
export interface NumberReadiness {
  /** False until the first DescribePhoneNumbers answer (or in mock mode, where there is none). */
  checked: boolean;
  /** ACTIVE, and two-way SMS delivers to the expected inbound topic. */
  ready: boolean;
  status?: string;
  twoWayEnabled?: boolean;
  twoWayToInboundTopic?: boolean;
  checkedAt?: string;
  /** Why the last check could not say (an AWS error name), if it failed. */
  error?: string;
}

export interface NumberReadinessOptions {
  client: Pick<PinpointSMSVoiceV2Client, "send">;
  /** The origination number's id or ARN (DescribePhoneNumbers accepts either). */
  phoneNumberId: string;
  /** The topic two-way SMS must deliver to (SNS_ALLOWED_TOPIC_ARNS's first entry). */
  inboundTopicArn: string | undefined;
  log: Logger;
  now?: () => Date;
  /** How often to look again; a TOLL_FREE or TEN_DLC number can stay pending for weeks. */
  intervalMs?: number;
}

/**
 * Whether the stack's number can send and receive: ACTIVE, two-way enabled, pointed at the
 * inbound topic. Pulumi switches two-way on right after requesting the number, and for a pending
 * number that can fail without failing `pulumi up`, so the service checks what AWS reports and
 * says so on /readyz and in the log. It never fails readiness (the load balancer's health check
 * is /readyz, and a pending registration must not stop the service from starting).
 */
export class NumberReadinessCheck {
  private state: NumberReadiness = { checked: false, ready: false };
  private timer: NodeJS.Timeout | undefined;
  private readonly checkedListeners: ((state: NumberReadiness) => void)[] = [];
  private readonly now: () => Date;

  constructor(private readonly options: NumberReadinessOptions) {
    this.now = options.now ?? (() => new Date());
  }

  current(): NumberReadiness {
    return this.state;
  }

  /**
   * Called after every check, changed or not, with what is known then (a failed look keeps the
   * last answer). The registration gate reports its gauge here, so the SendsHeld metric has a
   * point every interval rather than only when something changes.
   */
  onChecked(listener: (state: NumberReadiness) => void): void {
    this.checkedListeners.push(listener);
  }

  async refresh(): Promise<NumberReadiness> {
    const checkedAt = this.now().toISOString();
    let next: NumberReadiness;
    try {
      const result = await this.options.client.send(
        new DescribePhoneNumbersCommand({ PhoneNumberIds: [this.options.phoneNumberId] }),
      );
      const number = result.PhoneNumbers?.[0];
      if (!number) {
        next = { checked: true, ready: false, checkedAt, error: "NumberNotFound" };
      } else {
        const twoWayToInboundTopic =
          number.TwoWayEnabled === true &&
          this.options.inboundTopicArn !== undefined &&
          number.TwoWayChannelArn === this.options.inboundTopicArn;
        next = {
          checked: true,
          ready: number.Status === "ACTIVE" && twoWayToInboundTopic,
          status: number.Status,
          twoWayEnabled: number.TwoWayEnabled === true,
          twoWayToInboundTopic,
          checkedAt,
        };
      }
    } catch (err) {
      // Keep what was last known; report why this look failed.
      next = {
        ...this.state,
        checkedAt,
        error: (err as { name?: string }).name ?? "Error",
      };
    }
    this.report(next);
    this.state = next;
    for (const listener of this.checkedListeners) {
      try {
        listener(next);
      } catch (err) {
        // A listener's fault must not stop the checks (the interval calls refresh unawaited).
        this.options.log.warn({ err }, "a number readiness listener failed");
      }
    }
    return next;
  }

  /** Checks now and then every intervalMs, without holding the process open. */
  start(): void {
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.options.intervalMs ?? 5 * 60_000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One log line when the picture changes, so a pending or misrouted number is visible. */
  private report(next: NumberReadiness): void {
    const before = this.state;
    const changed =
      !before.checked ||
      before.ready !== next.ready ||
      before.status !== next.status ||
      before.twoWayToInboundTopic !== next.twoWayToInboundTopic ||
      before.error !== next.error;
    if (!changed) return;
    const fields = {
      numberReady: next.ready,
      numberStatus: next.status,
      twoWayEnabled: next.twoWayEnabled,
      twoWayToInboundTopic: next.twoWayToInboundTopic,
      ...(next.error ? { error: next.error } : {}),
    };
    if (next.ready) this.options.log.info(fields, "origination number ready");
    else
      this.options.log.warn(
        fields,
        "origination number not ready: sends or inbound replies may fail (see /readyz)",
      );
  }
}
