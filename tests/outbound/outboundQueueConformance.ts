import { randomUUID } from "node:crypto";
import type { OutboundQueue, QueueDelivery } from "../../runtime/src/outbound/outboundQueue";

/** What a schedule outside the queue holds (SQS: an EventBridge Scheduler one-time schedule). */
export interface ScheduleView {
  expression: string;
  timeZone?: string;
  targetArn: string;
  roleArn?: string;
  input?: string;
}

export interface QueueHarness {
  queue: OutboundQueue;
  /** The clock the queue reads. */
  now(): Date;
  /**
   * Lets `ms` pass for the queue: a fake clock moves, or (for an engine that cannot take one)
   * the test really waits, so suites keep real waits to a few seconds.
   */
  advance(ms: number): Promise<void>;
  /** Whether `advance` can skip days (a fake clock); SQS cannot, it shows the schedule instead. */
  canSkipDays: boolean;
  /** The schedule a far send became, when the engine keeps schedules apart from the queue. */
  schedule?(sendId: string): Promise<ScheduleView | undefined>;
  /** The queue's ARN, which schedules target. */
  queueArn?: string;
  schedulerRoleArn?: string;
  /** Every payload the engine wrote for the sends (message bodies, schedule inputs, rows). */
  payloads(): Promise<string[]>;
  close(): Promise<void>;
}

const SECOND = 1000;
const DAY = 24 * 60 * 60 * SECOND;
const POLL = { waitMs: 1500, visibilityMs: 30 * SECOND };
const NO_WAIT = { waitMs: 0, visibilityMs: 30 * SECOND };

function newSendId(): string {
  return `send-${randomUUID()}`;
}

function idsOf(deliveries: QueueDelivery[]): string[] {
  return deliveries.map((d) => d.sendId).sort();
}

/**
 * The behaviour every `OutboundQueue` engine shares; run by `sqliteOutboundQueue.test.ts` and
 * `sqsOutboundQueue.test.ts` (against moto). Each test gets a fresh, empty queue.
 */
export function outboundQueueConformance(name: string, open: () => Promise<QueueHarness>): void {
  describe(`${name} conforms to OutboundQueue`, () => {
    let h: QueueHarness;
    beforeEach(async () => {
      h = await open();
    });
    afterEach(async () => {
      await h.close();
    });

    it("delivers a send due now, naming it, with receiveCount 1", async () => {
      const sendId = newSendId();
      await h.queue.enqueue(sendId, h.now());
      const deliveries = await h.queue.receive(10, POLL);
      expect(deliveries).toHaveLength(1);
      expect(deliveries[0]).toMatchObject({ sendId, receiveCount: 1 });
      expect(typeof deliveries[0]!.receipt).toBe("string");
    });

    it("delivers a send due in the past at once", async () => {
      const sendId = newSendId();
      await h.queue.enqueue(sendId, new Date(h.now().getTime() - 60 * SECOND));
      expect(idsOf(await h.queue.receive(10, POLL))).toEqual([sendId]);
    });

    it("holds a send due in 2 s until it is due", async () => {
      const sendId = newSendId();
      await h.queue.enqueue(sendId, new Date(h.now().getTime() + 2 * SECOND));
      expect(await h.queue.receive(10, NO_WAIT)).toEqual([]);
      await h.advance(2.5 * SECOND);
      expect(idsOf(await h.queue.receive(10, POLL))).toEqual([sendId]);
    });

    it("hides a received message from a second receiver until its visibility ends, then delivers it again with receiveCount 2", async () => {
      const sendId = newSendId();
      await h.queue.enqueue(sendId, h.now());
      const first = await h.queue.receive(10, { waitMs: 1500, visibilityMs: SECOND });
      expect(idsOf(first)).toEqual([sendId]);
      expect(await h.queue.receive(10, NO_WAIT)).toEqual([]);
      await h.advance(1.5 * SECOND);
      const again = await h.queue.receive(10, POLL);
      expect(again).toHaveLength(1);
      expect(again[0]).toMatchObject({ sendId, receiveCount: 2 });
      expect(again[0]!.receipt).not.toBe(first[0]!.receipt);
    });

    it("removes a deleted message for good", async () => {
      const sendId = newSendId();
      await h.queue.enqueue(sendId, h.now());
      const [delivery] = await h.queue.receive(10, { waitMs: 1500, visibilityMs: SECOND });
      await h.queue.delete(delivery!);
      await h.advance(1.5 * SECOND);
      expect(await h.queue.receive(10, NO_WAIT)).toEqual([]);
      expect(await h.queue.stats()).toMatchObject({ visible: 0, inFlight: 0, delayed: 0 });
    });

    it("hides a message for the delay retryLater asks, then delivers it again", async () => {
      const sendId = newSendId();
      await h.queue.enqueue(sendId, h.now());
      const [delivery] = await h.queue.receive(10, POLL);
      await h.queue.retryLater(delivery!, SECOND);
      expect(await h.queue.receive(10, NO_WAIT)).toEqual([]);
      await h.advance(1.5 * SECOND);
      const again = await h.queue.receive(10, POLL);
      expect(again).toHaveLength(1);
      expect(again[0]).toMatchObject({ sendId, receiveCount: 2 });
    });

    it("refuses a retryLater delay beyond 15 minutes or below zero", async () => {
      const sendId = newSendId();
      await h.queue.enqueue(sendId, h.now());
      const [delivery] = await h.queue.receive(10, POLL);
      await expect(h.queue.retryLater(delivery!, 16 * 60 * SECOND)).rejects.toBeInstanceOf(
        RangeError,
      );
      await expect(h.queue.retryLater(delivery!, -1)).rejects.toBeInstanceOf(RangeError);
    });

    it("keeps a send due in 2 days out of the queue until then (a schedule), and cancel removes it", async () => {
      const later = newSendId();
      const cancelled = newSendId();
      const dueAt = new Date(h.now().getTime() + 2 * DAY);
      await h.queue.enqueue(later, dueAt);
      await h.queue.enqueue(cancelled, dueAt);
      expect(await h.queue.receive(10, NO_WAIT)).toEqual([]);
      if (h.schedule) {
        const schedule = await h.schedule(later);
        const at = new Date(Math.ceil(dueAt.getTime() / SECOND) * SECOND);
        expect(schedule).toEqual({
          expression: `at(${at.toISOString().slice(0, 19)})`,
          timeZone: "UTC",
          targetArn: h.queueArn,
          roleArn: h.schedulerRoleArn,
          input: JSON.stringify({ sendId: later }),
        });
      }
      await h.queue.cancel(cancelled);
      if (h.schedule) {
        expect(await h.schedule(cancelled)).toBeUndefined();
        expect(await h.schedule(later)).toBeDefined();
      }
      if (h.canSkipDays) {
        await h.advance(2 * DAY + SECOND);
        expect(idsOf(await h.queue.receive(10, POLL))).toEqual([later]);
      }
    });

    it("cancels harmlessly when there is nothing to cancel, or twice", async () => {
      const sendId = newSendId();
      await h.queue.cancel(sendId);
      await h.queue.enqueue(sendId, new Date(h.now().getTime() + 2 * DAY));
      await h.queue.cancel(sendId);
      await h.queue.cancel(sendId);
      if (h.schedule) expect(await h.schedule(sendId)).toBeUndefined();
    });

    it("leaves a message already due in the queue on cancel (the worker finds the record cancelled)", async () => {
      const sendId = newSendId();
      await h.queue.enqueue(sendId, h.now());
      await h.queue.cancel(sendId);
      expect(idsOf(await h.queue.receive(10, POLL))).toEqual([sendId]);
    });

    it("takes the same send enqueued twice harmlessly: every delivery names it and deletes cleanly", async () => {
      const sendId = newSendId();
      await h.queue.enqueue(sendId, h.now());
      await h.queue.enqueue(sendId, h.now());
      const deliveries: QueueDelivery[] = [];
      for (let i = 0; i < 3 && deliveries.length < 2; i++) {
        deliveries.push(...(await h.queue.receive(10, POLL)));
      }
      expect(deliveries.length).toBeGreaterThanOrEqual(1);
      expect(deliveries.length).toBeLessThanOrEqual(2);
      for (const delivery of deliveries) {
        expect(delivery.sendId).toBe(sendId);
        await h.queue.delete(delivery);
      }
      expect(await h.queue.receive(10, NO_WAIT)).toEqual([]);

      const far = newSendId();
      const dueAt = new Date(h.now().getTime() + 2 * DAY);
      await h.queue.enqueue(far, dueAt);
      await h.queue.enqueue(far, dueAt);
      if (h.schedule) expect(await h.schedule(far)).toBeDefined();
    });

    it("takes a far send enqueued again with a newer due time (a schedule follows the newest)", async () => {
      const sendId = newSendId();
      await h.queue.enqueue(sendId, new Date(h.now().getTime() + 2 * DAY));
      const newer = new Date(h.now().getTime() + 3 * DAY);
      await h.queue.enqueue(sendId, newer);
      if (h.schedule) {
        const at = new Date(Math.ceil(newer.getTime() / SECOND) * SECOND);
        expect((await h.schedule(sendId))?.expression).toBe(`at(${at.toISOString().slice(0, 19)})`);
      }
      if (h.canSkipDays) {
        await h.advance(3 * DAY + SECOND);
        // SQLite keeps both rows (as SQS would two messages); the worker decides from the record.
        expect(new Set(idsOf(await h.queue.receive(10, POLL)))).toEqual(new Set([sendId]));
      }
    });

    it("counts visible, in-flight and delayed messages (not the ones due after 15 minutes)", async () => {
      expect(await h.queue.stats()).toMatchObject({ visible: 0, inFlight: 0, delayed: 0 });
      await h.queue.enqueue(newSendId(), h.now());
      await h.queue.enqueue(newSendId(), h.now());
      await h.queue.enqueue(newSendId(), new Date(h.now().getTime() + 60 * SECOND));
      await h.queue.enqueue(newSendId(), new Date(h.now().getTime() + 2 * DAY));
      const taken = await h.queue.receive(1, POLL);
      expect(taken).toHaveLength(1);
      expect(await h.queue.stats()).toMatchObject({ visible: 1, inFlight: 1, delayed: 1 });
    });

    it("answers an empty receive with [] after waiting", async () => {
      expect(await h.queue.receive(10, { waitMs: 300, visibilityMs: SECOND })).toEqual([]);
    });

    it("writes the send id and nothing else into any payload, and refuses PHI-shaped ids", async () => {
      const near = newSendId();
      const far = newSendId();
      await h.queue.enqueue(near, new Date(h.now().getTime() + 2 * SECOND));
      await h.queue.enqueue(far, new Date(h.now().getTime() + 2 * DAY));
      const payloads = await h.payloads();
      expect(payloads.length).toBeGreaterThanOrEqual(2);
      for (const payload of payloads) {
        const parsed: unknown = JSON.parse(payload);
        expect([{ sendId: near }, { sendId: far }]).toContainEqual(parsed);
      }
      await expect(h.queue.enqueue("+15555550123", h.now())).rejects.toBeInstanceOf(TypeError);
      await expect(h.queue.enqueue("15555550123", h.now())).rejects.toBeInstanceOf(TypeError);
      await expect(h.queue.enqueue("your appointment is at 9", h.now())).rejects.toBeInstanceOf(
        TypeError,
      );
      expect(await h.payloads()).toHaveLength(payloads.length);
    });
  });
}
