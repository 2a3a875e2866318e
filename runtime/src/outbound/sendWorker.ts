import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { LOG_METRICS, logMetric } from "../contract/logMetrics";
import { auditFor } from "../conversations/caller";
import type { AuditLog } from "../logging/audit";
import type { OutboundStore } from "../store/outboundStore";
import { PACING_LINE_EVERY_MS, pacingCounters } from "./pacingCounters";
import { MAX_QUEUE_DELAY_MS, type OutboundQueue, type QueueDelivery } from "./outboundQueue";
import type { SendExecutor } from "./sendExecutor";
import { FINAL_STATUSES, WAITING_STATUSES, type ScheduledSend } from "./sendRecord";

export interface SendWorkerOptions {
  queue: OutboundQueue;
  store: Pick<OutboundStore, "getSend" | "claimSend">;
  executor: SendExecutor;
  audit: AuditLog;
  log: Logger;
  now?: () => Date;
  /** Sends run at once by this task (each holds one message). */
  concurrency?: number;
  /** Long poll per receive; bounds how long `stop` can wait for a poll to end. */
  pollWaitMs?: number;
  /**
   * The lease (the message's visibility): longer than a send can take, rate wait included; a
   * task killed mid-send leaves the send claimable again after it.
   */
  leaseMs?: number;
  /** Pause after a failed receive, so a broken queue is not spun on. */
  errorBackoffMs?: number;
}

const sleepFor = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms).unref());

/**
 * The loop every task runs: receive due send ids (long poll), claim each send in the store,
 * execute it waiting for the shared rate, delete the message. The queue is at-least-once and the
 * record decides: a message for a send that ended or was cancelled is deleted; one held by a
 * live lease is left to reappear; a lease that expired after the gateway call started becomes
 * `unknown` (never re-sent). `stop` ends the loops and waits for the sends under way.
 */
export class SendWorker {
  private stopping = false;
  private loops: Promise<void>[] = [];
  private readonly handling = new Set<Promise<void>>();
  private readonly now: () => Date;
  /** Sends handled since the counters were last logged, and when that was. */
  private handledSinceLine = 0;
  private lineAt = Date.now();

  constructor(private readonly options: SendWorkerOptions) {
    this.now = options.now ?? (() => new Date());
  }

  start(): void {
    const n = this.options.concurrency ?? 4;
    for (let i = 0; i < n; i += 1) this.loops.push(this.loop());
  }

  /**
   * No new receive or send; resolves when the sends being executed have ended. A long poll still
   * waiting is not waited for: what it returns is left in the queue (it reappears after the lease).
   */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.handling);
    this.loops = [];
  }

  private async loop(): Promise<void> {
    const leaseMs = this.options.leaseMs ?? 60_000;
    while (!this.stopping) {
      let deliveries: QueueDelivery[];
      const receiving = Date.now();
      try {
        deliveries = await this.options.queue.receive(1, {
          waitMs: this.options.pollWaitMs ?? 5_000,
          visibilityMs: leaseMs,
        });
        // The time to receive work that was there (an empty receive is the long poll's wait).
        if (deliveries.length > 0) pacingCounters.receiveMs += Date.now() - receiving;
        else pacingCounters.receiveEmpty += 1;
        this.logCounters(deliveries.length === 0);
      } catch (err) {
        if (this.stopping) return;
        this.options.log.error({ err }, "outbound queue receive failed");
        await sleepFor(this.options.errorBackoffMs ?? 1_000);
        continue;
      }
      for (const delivery of deliveries) {
        // Received while stopping: left alone, it reappears for another task after the lease.
        if (this.stopping) return;
        const handling = Date.now();
        const handled = this.handle(delivery, leaseMs);
        this.handling.add(handled);
        try {
          await handled;
        } catch (err) {
          // Not deleted: the message reappears after the lease and the record decides again.
          this.options.log.error({ err, sendId: delivery.sendId }, "queued send failed");
        } finally {
          this.handling.delete(handled);
          pacingCounters.handleMs += Date.now() - handling;
          this.handledSinceLine += 1;
        }
      }
    }
  }

  /**
   * The pacing counters (no number or text), when a backlog drained (a receive found nothing after
   * sends) and every PACING_LINE_EVERY_MS while it lasts.
   */
  private logCounters(drained: boolean): void {
    if (this.handledSinceLine === 0) return;
    if (!drained && Date.now() - this.lineAt < PACING_LINE_EVERY_MS) return;
    this.handledSinceLine = 0;
    this.lineAt = Date.now();
    this.options.log.info({ pacing: pacingCounters.snapshot() }, "send pacing counters");
  }

  /** One message, decided from the send record. */
  async handle(delivery: QueueDelivery, leaseMs: number): Promise<void> {
    const { queue, store } = this.options;
    const now = this.now();
    const before = await store.getSend(delivery.sendId);
    if (!before) {
      await queue.delete(delivery);
      return;
    }
    const token = randomUUID();
    const claimed = await store.claimSend(
      delivery.sendId,
      token,
      now.toISOString(),
      new Date(now.getTime() + leaseMs).toISOString(),
    );
    if (claimed) {
      const after = await this.options.executor.execute(claimed, token, { waitForRate: true });
      if (after.status === "queued") {
        // Handed back (throttled, or an account limit): this message brings it back when due.
        await queue.retryLater(delivery, this.delayUntil(after.dueAt));
        return;
      }
      // Ended, or deferred (the executor enqueued it for its new time): this message is done.
      await queue.delete(delivery);
      return;
    }
    await this.notClaimable(delivery, before, now);
  }

  private async notClaimable(
    delivery: QueueDelivery,
    before: ScheduledSend,
    now: Date,
  ): Promise<void> {
    const { queue, store, log } = this.options;
    const after = (await store.getSend(delivery.sendId)) ?? before;
    if (before.status === "sending" && after.status === "unknown") {
      // The claim found a lease that expired after the gateway call started: the store ended it.
      auditFor(
        this.options.audit,
        { actor: before.principal, requestId: before.requestId },
        "send.outcome",
        `send:${before.sendId}`,
        "error",
        "LEASE_EXPIRED_AFTER_CALL",
      );
      log.warn(
        { sendId: before.sendId, ...logMetric(LOG_METRICS.sendOutcomeUnknown.name, 1) },
        "send outcome unknown: its task stopped during the gateway call; not re-sent",
      );
    }
    if (FINAL_STATUSES.includes(after.status)) {
      await queue.delete(delivery);
      return;
    }
    if (WAITING_STATUSES.includes(after.status)) {
      // Not due yet (an early or duplicate message): keep it until it is, so it is never lost.
      await queue.retryLater(delivery, this.delayUntil(after.dueAt, now));
      return;
    }
    // `sending` under a live lease: another worker has it; this message reappears after the
    // lease and is deleted then if the send has ended.
  }

  private delayUntil(dueAt: string, now = this.now()): number {
    return Math.min(MAX_QUEUE_DELAY_MS, Math.max(1000, Date.parse(dueAt) - now.getTime()));
  }
}
