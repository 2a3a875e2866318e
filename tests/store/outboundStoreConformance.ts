import type { ConsentRecord, ScheduledSend } from "../../runtime/src/outbound/sendRecord";
import type { OutboundStore } from "../../runtime/src/store/outboundStore";
import { sendRecord } from "./outboundSendFixture";

type ClosableOutboundStore = OutboundStore & { close(): Promise<void> };

/**
 * The behaviour every OutboundStore must have (the contract in `outboundStore.ts`). Each
 * implementation's test file calls this with a factory; a fresh store (or table) per test keeps
 * cases independent.
 */
export function outboundStoreConformance(
  name: string,
  open: () => Promise<ClosableOutboundStore>,
): void {
  describe(`${name} outbound conformance`, () => {
    let store: ClosableOutboundStore;
    let n = 0;
    const id = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${(n += 1)}`;
    const t = (minute: number, second = 0) =>
      new Date(Date.UTC(2026, 10, 24, 12, minute, second)).toISOString();
    const FAR = "2099-01-01T00:00:00.000Z";

    /** Finishes under the lease; the answer is the record as the store now holds it. */
    const finishes = async (...args: Parameters<OutboundStore["finishSend"]>) => {
      const answer = await store.finishSend(...args);
      expect(answer).toBeDefined();
      expect(answer).toEqual(await store.getSend(args[0]));
      return answer!;
    };
    const created = async (over: Partial<ScheduledSend> = {}): Promise<ScheduledSend> => {
      const s = sendRecord(over);
      await expect(store.createSend(s)).resolves.toBe(true);
      return s;
    };
    /** A send claimed by "lease-1" at t(1) until t(2), the gateway call started. */
    const sentUnderLease = async (providerMessageId: string): Promise<ScheduledSend> => {
      const s = await created();
      await store.claimSend(s.sendId, "lease-1", t(1), t(2));
      await store.markCallStarted(s.sendId, "lease-1", t(1, 10));
      await finishes(s.sendId, "lease-1", {
        status: "sent",
        at: t(1, 20),
        providerMessageId,
        attempt: { at: t(1, 10), outcome: "sent", providerMessageId },
      });
      return s;
    };

    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    describe("send records", () => {
      it("creates a send once and reads it back whole", async () => {
        const s = sendRecord({
          conversationId: "conv-1",
          timeZone: "America/Chicago",
          consentScope: "appointment-reminders",
          verdict: { decision: "allow", ruleIds: ["quiet-hours.default"], decidedAt: t(0) },
        });
        await expect(store.createSend(s)).resolves.toBe(true);
        await expect(store.createSend({ ...s, body: "other" })).resolves.toBe(false);
        await expect(store.getSend(s.sendId)).resolves.toEqual(s);
        await expect(store.getSend("send-missing")).resolves.toBeUndefined();
      });

      it("claims only a due send, once, with the claimer's token", async () => {
        const s = await created({ status: "scheduled", dueAt: t(10) });
        await expect(store.claimSend(s.sendId, "lease-1", t(9), t(11))).resolves.toBeUndefined();
        const claimed = await store.claimSend(s.sendId, "lease-1", t(10), t(11));
        expect(claimed).toEqual({
          ...s,
          status: "sending",
          leaseToken: "lease-1",
          leaseUntil: t(11),
          updatedAt: t(10),
        });
        await expect(store.getSend(s.sendId)).resolves.toEqual(claimed);
        // The same claim again (a call retried after its answer was lost) is still its own.
        await expect(store.claimSend(s.sendId, "lease-1", t(10), t(11))).resolves.toEqual(claimed);
        await expect(
          store.claimSend(s.sendId, "lease-2", t(10, 30), t(12)),
        ).resolves.toBeUndefined();
        await expect(store.claimSend("send-missing", "lease-2", t(10), t(12))).resolves.toBe(
          undefined,
        );
      });

      it("lets another worker claim a lease that expired before the gateway call", async () => {
        const s = await created();
        await store.claimSend(s.sendId, "lease-1", t(1), t(2));
        const reclaimed = await store.claimSend(s.sendId, "lease-2", t(3), t(4));
        expect(reclaimed).toMatchObject({ status: "sending", leaseToken: "lease-2" });
        // The first worker lost its lease: it may neither start the call nor finish.
        await expect(store.markCallStarted(s.sendId, "lease-1", t(3, 5))).resolves.toBe(false);
        await expect(
          store.finishSend(s.sendId, "lease-1", { status: "failed", at: t(3, 6) }),
        ).resolves.toBeUndefined();
        await expect(store.markCallStarted(s.sendId, "lease-2", t(3, 5))).resolves.toBe(true);
      });

      it("never re-claims a send whose gateway call started: it ends as unknown", async () => {
        const s = await created();
        await store.claimSend(s.sendId, "lease-1", t(1), t(2));
        await expect(store.markCallStarted(s.sendId, "lease-1", t(1, 30))).resolves.toBe(true);
        await expect(store.claimSend(s.sendId, "lease-2", t(3), t(4))).resolves.toBeUndefined();
        const after = await store.getSend(s.sendId);
        expect(after).toMatchObject({
          status: "unknown",
          attempts: [{ at: t(1, 30), outcome: "unknown" }],
        });
        expect(after?.to).toBeUndefined();
        expect(after?.body).toBeUndefined();
        expect(after?.leaseToken).toBeUndefined();
        await expect(store.claimSend(s.sendId, "lease-3", t(5), t(6))).resolves.toBeUndefined();
      });

      it("finishes only under the lease's token; a final status erases destination and text", async () => {
        const s = await created();
        await store.claimSend(s.sendId, "lease-1", t(1), t(2));
        const verdict = {
          decision: "deny" as const,
          code: "CONSENT_REQUIRED",
          ruleIds: ["consent.required" as const],
          decidedAt: t(1, 5),
        };
        await expect(
          store.finishSend(s.sendId, "lease-other", { status: "denied", at: t(1, 5), verdict }),
        ).resolves.toBeUndefined();
        await expect(store.getSend(s.sendId)).resolves.toMatchObject({ to: s.to, body: s.body });
        await finishes(s.sendId, "lease-1", { status: "denied", at: t(1, 5), verdict });
        const after = await store.getSend(s.sendId);
        expect(after).toMatchObject({ status: "denied", verdict, updatedAt: t(1, 5) });
        expect(after?.to).toBeUndefined();
        expect(after?.body).toBeUndefined();
        expect(after?.leaseToken).toBeUndefined();
        await expect(
          store.finishSend(s.sendId, "lease-1", { status: "failed", at: t(1, 6) }),
        ).resolves.toBeUndefined();
        await expect(
          store.finishSend("send-missing", "lease-1", { status: "failed", at: t(2) }),
        ).resolves.toBeUndefined();
      });

      it("refuses a finish to sending, or to a waiting status without dueAt, changing nothing", async () => {
        const s = await created();
        const claimed = await store.claimSend(s.sendId, "lease-1", t(1), t(2));
        await expect(
          store.finishSend(s.sendId, "lease-1", { status: "sending", at: t(1, 1) }),
        ).rejects.toThrow(/sending/);
        await expect(
          store.finishSend(s.sendId, "lease-1", { status: "deferred", at: t(1, 1) }),
        ).rejects.toThrow(/dueAt/);
        await expect(store.getSend(s.sendId)).resolves.toEqual(claimed);
      });

      it("finishes back to deferred with a new dueAt, keeping the text, claimable once due", async () => {
        const s = await created();
        await store.claimSend(s.sendId, "lease-1", t(1), t(2));
        const verdict = {
          decision: "defer" as const,
          until: t(30),
          ruleIds: ["quiet-hours.default" as const],
          decidedAt: t(1),
        };
        await finishes(s.sendId, "lease-1", {
          status: "deferred",
          at: t(1, 1),
          dueAt: t(30),
          verdict,
        });
        const deferred = await store.getSend(s.sendId);
        expect(deferred).toMatchObject({
          status: "deferred",
          dueAt: t(30),
          to: s.to,
          body: s.body,
          verdict,
        });
        expect(deferred?.leaseToken).toBeUndefined();
        await expect(store.claimSend(s.sendId, "lease-2", t(29), t(31))).resolves.toBeUndefined();
        await expect(store.claimSend(s.sendId, "lease-2", t(30), t(31))).resolves.toMatchObject({
          status: "sending",
          leaseToken: "lease-2",
          to: s.to,
          body: s.body,
        });
      });

      it("cancels a waiting send, erasing it; not one sending or ended", async () => {
        const waiting = await created({ status: "scheduled", dueAt: t(50) });
        await expect(store.cancelSend(waiting.sendId, t(2))).resolves.toBe("cancelled");
        const after = await store.getSend(waiting.sendId);
        expect(after).toMatchObject({ status: "cancelled", updatedAt: t(2) });
        expect(after?.to).toBeUndefined();
        expect(after?.body).toBeUndefined();
        await expect(store.cancelSend(waiting.sendId, t(3))).resolves.toEqual({
          notCancellable: "cancelled",
        });

        const sending = await created();
        await store.claimSend(sending.sendId, "lease-1", t(1), t(2));
        await expect(store.cancelSend(sending.sendId, t(1, 30))).resolves.toEqual({
          notCancellable: "sending",
        });
        await expect(store.getSend(sending.sendId)).resolves.toMatchObject({
          status: "sending",
          to: sending.to,
        });
        const sent = await sentUnderLease(id("pm"));
        await expect(store.cancelSend(sent.sendId, t(3))).resolves.toEqual({
          notCancellable: "sent",
        });
        await expect(store.cancelSend("send-missing", t(3))).resolves.toBe("not_found");
      });
    });

    describe("attempts and delivery", () => {
      it("keeps a sent send's text until its delivery; finds the send by provider id", async () => {
        const pm = id("pm");
        const s = await sentUnderLease(pm);
        const sent = await store.getSend(s.sendId);
        expect(sent).toMatchObject({
          status: "sent",
          providerMessageId: pm,
          to: s.to,
          body: s.body,
          attempts: [{ at: t(1, 10), outcome: "sent", providerMessageId: pm }],
        });
        expect(sent?.leaseToken).toBeUndefined();
        await expect(store.sendIdForProviderMessage(pm)).resolves.toBe(s.sendId);
        await expect(store.sendIdForProviderMessage("pm-missing")).resolves.toBeUndefined();

        await expect(
          store.recordAttemptDelivery(s.sendId, pm, "TEXT_DELIVERED", t(2)),
        ).resolves.toBe("recorded");
        const delivered = await store.getSend(s.sendId);
        expect(delivered).toMatchObject({
          status: "sent",
          attempts: [{ providerMessageId: pm, deliveryStatus: "TEXT_DELIVERED" }],
        });
        expect(delivered?.to).toBeUndefined();
        expect(delivered?.body).toBeUndefined();
      });

      it("re-queues a temporary carrier failure with its text, and records the retry's attempt", async () => {
        const pm = id("pm");
        const s = await sentUnderLease(pm);
        await expect(
          store.recordAttemptDelivery(s.sendId, pm, "TEXT_UNREACHABLE", t(3), { dueAt: t(4) }),
        ).resolves.toBe("retry_queued");
        await expect(store.getSend(s.sendId)).resolves.toMatchObject({
          status: "queued",
          dueAt: t(4),
          to: s.to,
          body: s.body,
          attempts: [{ providerMessageId: pm, deliveryStatus: "TEXT_UNREACHABLE" }],
        });
        // The same event again: recorded, and no second retry.
        await expect(
          store.recordAttemptDelivery(s.sendId, pm, "TEXT_UNREACHABLE", t(3), { dueAt: t(4) }),
        ).resolves.toBe("recorded");
        // Without a retry, a late event of the old attempt leaves the queued retry's text alone.
        await expect(
          store.recordAttemptDelivery(s.sendId, pm, "TEXT_UNREACHABLE", t(3, 30)),
        ).resolves.toBe("recorded");
        await expect(store.getSend(s.sendId)).resolves.toMatchObject({
          status: "queued",
          to: s.to,
        });

        await expect(store.claimSend(s.sendId, "lease-2", t(4), t(5))).resolves.toMatchObject({
          to: s.to,
        });
        const pm2 = id("pm");
        await finishes(s.sendId, "lease-2", {
          status: "sent",
          at: t(4, 10),
          providerMessageId: pm2,
          attempt: { at: t(4, 5), outcome: "sent", providerMessageId: pm2 },
        });
        // A late event of the first attempt neither re-queues nor erases the newest one's send.
        await expect(
          store.recordAttemptDelivery(s.sendId, pm, "TEXT_UNREACHABLE", t(4, 20), {
            dueAt: t(6),
          }),
        ).resolves.toBe("recorded");
        await expect(store.getSend(s.sendId)).resolves.toMatchObject({
          status: "sent",
          dueAt: t(4),
          to: s.to,
        });
        await expect(
          store.recordAttemptDelivery(s.sendId, pm2, "TEXT_DELIVERED", t(5)),
        ).resolves.toBe("recorded");
        const done = await store.getSend(s.sendId);
        expect(done?.attempts).toEqual([
          {
            at: t(1, 10),
            outcome: "sent",
            providerMessageId: pm,
            deliveryStatus: "TEXT_UNREACHABLE",
          },
          {
            at: t(4, 5),
            outcome: "sent",
            providerMessageId: pm2,
            deliveryStatus: "TEXT_DELIVERED",
          },
        ]);
        expect(done?.providerMessageId).toBe(pm2);
        expect(done?.to).toBeUndefined();
        await expect(store.sendIdForProviderMessage(pm)).resolves.toBe(s.sendId);
        await expect(store.sendIdForProviderMessage(pm2)).resolves.toBe(s.sendId);
      });

      it("answers not_found for an unknown send or attempt", async () => {
        const s = await sentUnderLease(id("pm"));
        await expect(
          store.recordAttemptDelivery("send-missing", "pm-x", "TEXT_DELIVERED", t(2)),
        ).resolves.toBe("not_found");
        await expect(
          store.recordAttemptDelivery(s.sendId, "pm-other", "TEXT_DELIVERED", t(2)),
        ).resolves.toBe("not_found");
        await expect(store.getSend(s.sendId)).resolves.toMatchObject({ to: s.to });
      });
    });

    describe("consents", () => {
      const consent = (over: Partial<ConsentRecord> = {}): ConsentRecord => ({
        patientRef: "patient-c",
        scope: "appointment-reminders",
        granted: true,
        source: "agent",
        capturedAt: t(0),
        evidenceRef: "form-17",
        at: t(1),
        ...over,
      });

      it("keeps the newest change per scope; an older one does not overwrite it", async () => {
        const patientRef = id("patient");
        const granted = consent({ patientRef, at: t(5) });
        await expect(store.putConsent(granted)).resolves.toBe(true);
        await expect(store.getConsent(patientRef, granted.scope)).resolves.toEqual(granted);
        const older = consent({ patientRef, granted: false, source: "keyword:STOP", at: t(4) });
        await expect(store.putConsent(older)).resolves.toBe(false);
        await expect(store.getConsent(patientRef, granted.scope)).resolves.toEqual(granted);
        const { evidenceRef: _e, ...revoked } = consent({
          patientRef,
          granted: false,
          source: "keyword:STOP",
          at: t(6),
        });
        await expect(store.putConsent(revoked)).resolves.toBe(true);
        await expect(store.getConsent(patientRef, granted.scope)).resolves.toEqual(revoked);
        await expect(store.getConsent(patientRef, "other-scope")).resolves.toBeUndefined();
      });

      it("lists every scope of the patient and no one else's", async () => {
        const patientRef = id("patient");
        const a = consent({ patientRef, scope: "appointment-reminders" });
        const b = consent({ patientRef, scope: "billing", granted: false });
        const stranger = consent({ patientRef: id("patient"), scope: "billing" });
        for (const c of [a, b, stranger]) await store.putConsent(c);
        const listed = await store.listConsents(patientRef);
        expect([...listed].sort((x, y) => x.scope.localeCompare(y.scope))).toEqual([a, b]);
        await expect(store.listConsents(id("nobody"))).resolves.toEqual([]);
      });
    });

    describe("frequency cap history", () => {
      it("answers the patient's send times since a time, older ones and others' excluded", async () => {
        const patientRef = id("patient");
        await store.recordSendForCap(patientRef, "send-1", t(1), FAR);
        await store.recordSendForCap(patientRef, "send-2", t(5), FAR);
        await store.recordSendForCap(patientRef, "send-3", t(9), FAR);
        await store.recordSendForCap(id("patient"), "send-4", t(6), FAR);
        const since = await store.sendTimesSince(patientRef, t(5));
        expect([...since].sort()).toEqual([t(5), t(9)]);
        await expect(store.sendTimesSince(patientRef, t(10))).resolves.toEqual([]);
      });
    });

    describe("shared rate budget", () => {
      it("answers the window's running total up to the limit, refuses beyond, and starts a new window fresh", async () => {
        const identity = id("phone");
        const w = Date.UTC(2026, 10, 24, 12, 0, 0);
        await expect(store.takeRateBudget(identity, w, 2, 3)).resolves.toBe(2);
        await expect(store.takeRateBudget(identity, w, 2, 3)).resolves.toBeUndefined();
        await expect(store.takeRateBudget(identity, w, 1, 3)).resolves.toBe(3);
        await expect(store.takeRateBudget(identity, w, 1, 3)).resolves.toBeUndefined();
        await expect(store.takeRateBudget(identity, w + 1000, 3, 3)).resolves.toBe(3);
        await expect(store.takeRateBudget(identity, w + 1000, 1, 3)).resolves.toBeUndefined();
        await expect(store.takeRateBudget(id("phone"), w, 3, 3)).resolves.toBe(3);
        await expect(store.takeRateBudget(id("phone"), w, 4, 3)).resolves.toBeUndefined();
      });

      it("moves a counter that lags fromPosition up to it, never one ahead of it back", async () => {
        const identity = id("phone");
        const w = Date.UTC(2026, 10, 24, 12, 0, 2);
        // A new window starts at the position given; a later take from behind it is added after.
        await expect(store.takeRateBudget(identity, w, 1, 48, 10)).resolves.toBe(11);
        await expect(store.takeRateBudget(identity, w, 2, 48, 3)).resolves.toBe(13);
        // Lagging (sends resumed later in the window): the passed positions are skipped.
        await expect(store.takeRateBudget(identity, w, 1, 48, 30)).resolves.toBe(31);
        // Skipping would pass the limit: refused, and the counter stays where it was.
        await expect(store.takeRateBudget(identity, w, 2, 48, 47)).resolves.toBeUndefined();
        await expect(store.takeRateBudget(identity, w, 1, 48)).resolves.toBe(32);
        // A limit below the total (a caller with a deadline) refuses without taking.
        await expect(store.takeRateBudget(identity, w, 1, 32)).resolves.toBeUndefined();
        await expect(store.takeRateBudget(identity, w, 1, 48)).resolves.toBe(33);
      });

      it("gives takers at once distinct, contiguous positions, never past the limit", async () => {
        const identity = id("phone");
        const w = Date.UTC(2026, 10, 24, 12, 0, 1);
        const sizes = Array.from({ length: 25 }, (_, i) => (i % 3) + 1);
        const totals = await Promise.all(
          sizes.map((parts) => store.takeRateBudget(identity, w, parts, 30)),
        );
        const taken = sizes.flatMap((parts, i) => {
          const total = totals[i];
          return total === undefined ? [] : [{ from: total - parts, to: total }];
        });
        // Each taker's parts are its own positions: together they tile 0..n without a gap.
        taken.sort((a, b) => a.from - b.from);
        expect(taken[0]?.from).toBe(0);
        for (let k = 1; k < taken.length; k += 1) expect(taken[k]!.from).toBe(taken[k - 1]!.to);
        const sum = taken.at(-1)!.to;
        expect(sum).toBeLessThanOrEqual(30);
        // Whatever is left is smaller than every size that was refused.
        const refused = sizes.filter((_, i) => totals[i] === undefined);
        expect(30 - sum).toBeLessThan(Math.min(...refused, Infinity));
      });

      it("gives concurrent takers behind a moving fromPosition distinct positions", async () => {
        const identity = id("phone");
        const w = Date.UTC(2026, 10, 24, 12, 0, 3);
        await store.takeRateBudget(identity, w, 1, 100, 0);
        const totals = await Promise.all(
          Array.from({ length: 12 }, (_, i) => store.takeRateBudget(identity, w, 1, 100, 20 + i)),
        );
        const positions = totals.map((total) => total! - 1);
        expect(new Set(positions).size).toBe(12);
        expect(Math.min(...positions)).toBeGreaterThanOrEqual(20);
        positions.forEach((p, i) => expect(p).toBeGreaterThanOrEqual(20 + i));
      });
    });
  });
}
