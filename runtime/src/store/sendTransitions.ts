import {
  WAITING_STATUSES,
  type ScheduledSend,
  type SendAttempt,
  type SendStatus,
  type Verdict,
} from "../outbound/sendRecord";

/**
 * The state changes of a send record as pure functions of the record: the SQLite store applies
 * them inside its write lock; the DynamoDB store states the same rules as conditions of its
 * writes. Each returns undefined when the change is not allowed.
 */

export type FinishUpdate = {
  status: SendStatus;
  at: string;
  dueAt?: string;
  verdict?: Verdict;
  attempt?: SendAttempt;
  providerMessageId?: string;
};

export const isWaiting = (status: SendStatus): boolean => WAITING_STATUSES.includes(status);

/**
 * `sent` keeps the destination and text until the attempt's final delivery status, since a
 * temporary carrier failure is re-sent from them; every other final status erases them.
 */
export const erasesDestination = (status: SendStatus): boolean =>
  status !== "sent" && !isWaiting(status) && status !== "sending";

/** Rejects an update no worker should make, before any write (a caller's bug, not the store's). */
export function checkFinishUpdate(update: FinishUpdate): void {
  if (update.status === "sending") {
    throw new Error("finishSend cannot end a lease in `sending`: give the outcome's status");
  }
  if (isWaiting(update.status) && update.dueAt === undefined) {
    throw new Error(`finishSend to \`${update.status}\` needs the new \`dueAt\``);
  }
}

function withoutDestination(send: ScheduledSend): ScheduledSend {
  const { to: _to, body: _body, ...rest } = send;
  return rest;
}

function withoutLease(send: ScheduledSend): ScheduledSend {
  const { leaseToken: _token, leaseUntil: _until, ...rest } = send;
  return rest;
}

/** A claim with the same token again (a retried call whose answer was lost) is the same claim. */
export function claim(
  send: ScheduledSend,
  leaseToken: string,
  now: string,
  leaseUntil: string,
): ScheduledSend | undefined {
  const due = isWaiting(send.status) && send.dueAt <= now;
  const leaseFree =
    send.status === "sending" &&
    send.callStartedAt === undefined &&
    (send.leaseUntil === undefined || send.leaseUntil < now || send.leaseToken === leaseToken);
  if (!due && !leaseFree) return undefined;
  return { ...send, status: "sending", leaseToken, leaseUntil, updatedAt: now };
}

/**
 * A lease that expired after the gateway call started: the outcome is unknown and the send is
 * never tried again, so it ends as `unknown` with an attempt saying so.
 */
export function abandonedCall(send: ScheduledSend, now: string): ScheduledSend | undefined {
  if (
    send.status !== "sending" ||
    send.callStartedAt === undefined ||
    send.leaseUntil === undefined ||
    send.leaseUntil >= now
  ) {
    return undefined;
  }
  return {
    ...withoutLease(withoutDestination(send)),
    status: "unknown",
    updatedAt: now,
    attempts: [...send.attempts, { at: send.callStartedAt, outcome: "unknown" }],
  };
}

export function markCallStarted(
  send: ScheduledSend,
  leaseToken: string,
  at: string,
): ScheduledSend | undefined {
  if (send.status !== "sending" || send.leaseToken !== leaseToken) return undefined;
  return { ...send, callStartedAt: at };
}

export function finish(
  send: ScheduledSend,
  leaseToken: string,
  update: FinishUpdate,
): ScheduledSend | undefined {
  if (send.status !== "sending" || send.leaseToken !== leaseToken) return undefined;
  let next: ScheduledSend = {
    ...withoutLease(send),
    status: update.status,
    updatedAt: update.at,
    ...(update.dueAt === undefined ? {} : { dueAt: update.dueAt }),
    ...(update.verdict === undefined ? {} : { verdict: update.verdict }),
    ...(update.providerMessageId === undefined
      ? {}
      : { providerMessageId: update.providerMessageId }),
    attempts: update.attempt ? [...send.attempts, update.attempt] : send.attempts,
  };
  if (isWaiting(update.status)) {
    // Waiting again: the next claim starts with no call made under it.
    const { callStartedAt: _started, ...rest } = next;
    next = rest;
  }
  return erasesDestination(update.status) ? withoutDestination(next) : next;
}

export function cancel(send: ScheduledSend, at: string): ScheduledSend | undefined {
  if (!isWaiting(send.status)) return undefined;
  return { ...withoutDestination(send), status: "cancelled", updatedAt: at };
}

export type DeliveryChange =
  | { kind: "not_found" }
  /** The attempt's status only: an older attempt's event, or a send no longer `sent`. */
  | { kind: "recorded"; index: number; send: ScheduledSend }
  /** The newest attempt ended: erase the destination, or re-queue for a carrier retry. */
  | { kind: "ended"; index: number; send: ScheduledSend }
  | { kind: "retry_queued"; index: number; send: ScheduledSend };

/**
 * Only the event of the send's newest accepted attempt, while it is `sent`, ends it or re-queues
 * it: a late or repeated event of an earlier attempt must not erase the text a retry needs, nor
 * queue a second retry.
 */
export function recordDelivery(
  send: ScheduledSend | undefined,
  providerMessageId: string,
  deliveryStatus: string,
  at: string,
  retry?: { dueAt: string },
): DeliveryChange {
  const index = send?.attempts.findLastIndex((a) => a.providerMessageId === providerMessageId);
  if (!send || index === undefined || index < 0) return { kind: "not_found" };
  const attempts = send.attempts.map((a, i) => (i === index ? { ...a, deliveryStatus } : a));
  const recorded = { ...send, attempts };
  if (send.status !== "sent" || send.providerMessageId !== providerMessageId) {
    return { kind: "recorded", index, send: recorded };
  }
  if (retry) {
    return {
      kind: "retry_queued",
      index,
      send: { ...recorded, status: "queued", dueAt: retry.dueAt, updatedAt: at },
    };
  }
  return { kind: "ended", index, send: { ...withoutDestination(recorded), updatedAt: at } };
}
