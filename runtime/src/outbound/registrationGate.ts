import type { Logger } from "pino";
import { LOG_METRICS, logMetric } from "../contract/logMetrics";
import type { NumberReadiness } from "../sms/numberReadiness";
import type { SendRuleInput } from "./sendRules";
import type { RegistrationState } from "./sendRuleInput";

/**
 * Registration statuses after which the number's registration no longer covers sending
 * (`Registration Status Change` events; statuses per the End User Messaging EventBridge docs:
 * CLOSED, CREATED, COMPLETE, DELETED, PROVISIONING, REQUIRES_AUTHENTICATION, REQUIRES_UPDATES,
 * REVIEWING, SUBMITTED). The others describe a version under review while the number keeps
 * sending on the approved one, so the number's own status (DescribePhoneNumbers) decides them.
 */
const REGISTRATION_ENDED = new Set(["CLOSED", "DELETED"]);

export interface RegistrationGateDeps {
  /**
   * The number's status from DescribePhoneNumbers; absent in mock mode (always ready). With
   * `onChecked`, every check also reports the SendsHeld gauge.
   */
  numberReadiness?: {
    current(): NumberReadiness;
    refresh?(): Promise<NumberReadiness>;
    onChecked?(listener: (state: NumberReadiness) => void): void;
  };
  log: Logger;
}

/**
 * Whether the origination number can send now: `registration.ready` of the send rules, and the
 * `sendsHeld` detail of `/readyz`. The number must be ACTIVE (a number not yet checked counts as
 * ready: holding every send after each deploy until the first answer would delay them for
 * nothing, and a send to a pending number fails with a clear error anyway), and its registration
 * must not have been closed or deleted.
 *
 * The `SendsHeld` metric (a gauge, 1 or 0) is a log line the stack's metric filter reads: on each
 * change, and after each readiness check of the number whether or not anything changed, so an
 * alarm can tell "held for 15 minutes" from "held once".
 */
export class RegistrationGate implements RegistrationState {
  private registrationStatus: { status: string; at: string } | undefined;
  private lastReported: string | undefined = "";

  constructor(private readonly deps: RegistrationGateDeps) {
    deps.numberReadiness?.onChecked?.(() => this.reportSendsHeld());
  }

  current(): SendRuleInput["registration"] {
    const reason = this.heldBecause();
    this.report(reason);
    return reason === undefined ? { ready: true } : { ready: false, reason };
  }

  /** Why sends are held now, or undefined when they are not (for `/readyz`). */
  heldBecause(): string | undefined {
    const number = this.deps.numberReadiness?.current();
    if (number?.checked && number.status !== undefined && number.status !== "ACTIVE") {
      return `number status ${number.status}`;
    }
    const registration = this.registrationStatus;
    if (registration && REGISTRATION_ENDED.has(registration.status)) {
      return `registration ${registration.status}`;
    }
    return undefined;
  }

  /**
   * A `Registration Status Change` event: remembered (newest wins), and the number looked at
   * again at once, since a registration that completes is what makes a pending number ACTIVE.
   */
  async onRegistrationStatus(status: string, at: string): Promise<void> {
    if (this.registrationStatus && this.registrationStatus.at > at) return;
    this.registrationStatus = { status, at };
    try {
      await this.deps.numberReadiness?.refresh?.();
    } catch (err) {
      this.deps.log.warn({ err }, "number readiness refresh after a registration event failed");
    }
    this.report(this.heldBecause());
  }

  /**
   * One SendsHeld point now: the change line if the state changed since the last report, else a
   * line that only repeats the gauge.
   */
  reportSendsHeld(): void {
    const reason = this.heldBecause();
    if (reason !== this.lastReported) {
      this.report(reason);
      return;
    }
    const held = reason !== undefined;
    this.deps.log.info(
      {
        sendsHeld: held,
        ...(held ? { reason } : {}),
        ...logMetric(LOG_METRICS.sendsHeld.name, held ? 1 : 0),
      },
      held ? "sends still held" : "sends not held",
    );
  }

  private report(reason: string | undefined): void {
    if (reason === this.lastReported) return;
    this.lastReported = reason;
    if (reason === undefined)
      this.deps.log.info(
        { sendsHeld: false, ...logMetric(LOG_METRICS.sendsHeld.name, 0) },
        "sends released",
      );
    else
      this.deps.log.warn(
        { sendsHeld: true, reason, ...logMetric(LOG_METRICS.sendsHeld.name, 1) },
        "sends held: they queue until the number can send",
      );
  }
}
