import type {
  Conversation,
  ConversationStore,
  InboundMessage,
  OutboundMessage,
} from "../../runtime/src/store/conversationStore";

/**
 * The behaviour every ConversationStore must have. Each implementation's test file calls this
 * with a factory; a fresh store (or table) per test keeps cases independent.
 */
export function conversationStoreConformance(
  name: string,
  open: () => Promise<ConversationStore>,
): void {
  describe(`${name} conformance`, () => {
    let store: ConversationStore;
    let n = 0;
    const id = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${(n += 1)}`;
    const t = (minute: number) => new Date(Date.UTC(2026, 10, 24, 12, minute)).toISOString();
    const FAR = "2099-01-01T00:00:00.000Z";

    const conversation = (over: Partial<Conversation> = {}): Conversation => ({
      conversationId: id("conv"),
      patientRef: "patient-a",
      slots: ["Tue 3:00 PM", "Wed 9:30 AM"],
      status: "awaiting_reply",
      createdAt: t(0),
      updatedAt: t(0),
      expiresAt: FAR,
      ...over,
    });
    const outbound = (over: Partial<OutboundMessage> = {}): OutboundMessage => ({
      messageId: id("msg"),
      patientRef: "patient-a",
      parts: 1,
      encoding: "GSM",
      sentAt: t(0),
      delivery: { status: "SENT", final: false, at: t(0) },
      expiresAt: FAR,
      ...over,
    });
    const inbound = (over: Partial<InboundMessage> = {}): InboundMessage => ({
      inboundMessageId: id("in"),
      snsMessageId: id("sns"),
      patientRef: "patient-a",
      kind: "reply",
      text: "sounds good",
      receivedAt: t(1),
      expiresAt: FAR,
      ...over,
    });

    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    it("answers ping", async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });

    it("creates a conversation once and reads it back", async () => {
      const c = conversation({ selectedSlot: 2, lastMessageId: "m-1" });
      await expect(store.createConversation(c)).resolves.toBe(true);
      await expect(store.createConversation({ ...c, slots: ["other"] })).resolves.toBe(false);
      await expect(store.getConversation(c.conversationId)).resolves.toEqual(c);
      await expect(store.getConversation("missing")).resolves.toBeUndefined();
    });

    it("sets the slots message id and deletes conversations", async () => {
      const c = conversation();
      await store.createConversation(c);
      await store.setConversationMessage(c.conversationId, "m-9");
      await expect(store.getConversation(c.conversationId)).resolves.toMatchObject({
        lastMessageId: "m-9",
      });
      await store.deleteConversation(c.conversationId);
      await expect(store.getConversation(c.conversationId)).resolves.toBeUndefined();
    });

    it("finds the patient's newest open conversation, skipping opted-out and expired ones", async () => {
      const patientRef = id("patient");
      const older = conversation({ patientRef, createdAt: t(1) });
      const newest = conversation({ patientRef, createdAt: t(5) });
      const optedOut = conversation({ patientRef, createdAt: t(7), status: "opted_out" });
      const expired = conversation({ patientRef, createdAt: t(9), expiresAt: t(10) });
      for (const c of [older, newest, optedOut, expired]) await store.createConversation(c);
      await expect(store.latestOpenConversation(patientRef, t(20))).resolves.toEqual(newest);
      await expect(store.latestOpenConversation(id("nobody"), t(20))).resolves.toBeUndefined();
    });

    it("records outbound messages and keeps the newest delivery status, final ones for good", async () => {
      const m = outbound({ conversationId: "c-1" });
      await store.recordOutbound(m);
      await expect(store.getOutbound(m.messageId)).resolves.toEqual(m);
      await expect(
        store.updateDelivery(m.messageId, { status: "PENDING", final: false, at: t(2) }),
      ).resolves.toBe(true);
      await store.updateDelivery(m.messageId, { status: "QUEUED", final: false, at: t(1) }); // older: ignored
      await expect(store.getOutbound(m.messageId)).resolves.toMatchObject({
        delivery: { status: "PENDING", at: t(2) },
      });
      await store.updateDelivery(m.messageId, { status: "DELIVERED", final: true, at: t(3) });
      await store.updateDelivery(m.messageId, { status: "PENDING", final: false, at: t(4) }); // after final: ignored
      await expect(store.getOutbound(m.messageId)).resolves.toMatchObject({
        delivery: { status: "DELIVERED", final: true, at: t(3) },
      });
      await expect(
        store.updateDelivery("unknown", { status: "DELIVERED", final: true, at: t(3) }),
      ).resolves.toBe(false);
    });

    it("stores an inbound reply with its conversation change and opt-out in one step", async () => {
      const c = conversation({ patientRef: id("patient") });
      await store.createConversation(c);
      const reply = inbound({
        conversationId: c.conversationId,
        patientRef: c.patientRef,
        kind: "slot",
        text: "2",
      });
      await expect(
        store.recordInbound({
          inbound: reply,
          conversationUpdate: {
            conversationId: c.conversationId,
            status: "replied",
            selectedSlot: 2,
          },
        }),
      ).resolves.toBe("created");
      await expect(store.getConversation(c.conversationId)).resolves.toMatchObject({
        status: "replied",
        selectedSlot: 2,
        updatedAt: reply.receivedAt,
      });
      await expect(store.listReplies(c.conversationId)).resolves.toEqual([reply]);

      const stop = inbound({
        conversationId: c.conversationId,
        patientRef: c.patientRef,
        kind: "opt_out",
        text: "STOP",
        receivedAt: t(2),
      });
      await store.recordInbound({
        inbound: stop,
        conversationUpdate: { conversationId: c.conversationId, status: "opted_out" },
        optOut: { patientRef: c.patientRef, optedOut: true },
      });
      await expect(store.isOptedOut(c.patientRef)).resolves.toBe(true);
      await expect(store.getConversation(c.conversationId)).resolves.toMatchObject({
        status: "opted_out",
        selectedSlot: 2,
      });
      await expect(store.listReplies(c.conversationId)).resolves.toEqual([reply, stop]);
    });

    it("stores a duplicate once, by inboundMessageId or by SNS MessageId, and changes nothing", async () => {
      const c = conversation({ patientRef: id("patient") });
      await store.createConversation(c);
      const first = inbound({ conversationId: c.conversationId, patientRef: c.patientRef });
      await store.recordInbound({ inbound: first });
      const sameInbound = { ...first, snsMessageId: id("sns"), text: "changed" };
      const sameSns = { ...first, inboundMessageId: id("in"), text: "changed" };
      for (const dup of [sameInbound, sameSns]) {
        await expect(
          store.recordInbound({
            inbound: dup,
            conversationUpdate: { conversationId: c.conversationId, status: "opted_out" },
            optOut: { patientRef: c.patientRef, optedOut: true },
          }),
        ).resolves.toBe("duplicate");
      }
      await expect(store.listReplies(c.conversationId)).resolves.toEqual([first]);
      await expect(store.getConversation(c.conversationId)).resolves.toMatchObject({
        status: "awaiting_reply",
      });
      await expect(store.isOptedOut(c.patientRef)).resolves.toBe(false);
    });

    it("stores one of five concurrent deliveries of the same reply", async () => {
      const c = conversation({ patientRef: id("patient") });
      await store.createConversation(c);
      const reply = inbound({ conversationId: c.conversationId, patientRef: c.patientRef });
      const outcomes = await Promise.all(
        Array.from({ length: 5 }, () => store.recordInbound({ inbound: { ...reply } })),
      );
      expect(outcomes.filter((o) => o === "created")).toHaveLength(1);
      await expect(store.listReplies(c.conversationId)).resolves.toHaveLength(1);
    });

    it("keeps a reply that matches no conversation", async () => {
      const orphan = inbound({ patientRef: id("patient") });
      await expect(store.recordInbound({ inbound: orphan })).resolves.toBe("created");
      await expect(store.recordInbound({ inbound: orphan })).resolves.toBe("duplicate");
    });

    it("tracks opt-out state per patient, default in", async () => {
      const p = id("patient");
      await expect(store.isOptedOut(p)).resolves.toBe(false);
      await store.setOptOut(p, true, t(1));
      await expect(store.isOptedOut(p)).resolves.toBe(true);
      await store.setOptOut(p, false, t(2));
      await expect(store.isOptedOut(p)).resolves.toBe(false);
    });

    it("claims an idempotency key once, replays it, releases it, and reclaims it once expired", async () => {
      const key = id("key");
      const record = {
        key,
        token: "claim-1",
        fingerprint: "f1",
        state: "pending" as const,
        createdAt: t(0),
        expiresAt: t(30),
      };
      await expect(store.claimIdempotencyKey(record)).resolves.toEqual({ claimed: true });
      const other = { ...record, token: "claim-2", fingerprint: "f2" };
      await expect(store.claimIdempotencyKey(other)).resolves.toEqual({
        claimed: false,
        existing: record,
      });
      const response = { statusCode: 202, body: { messageId: "m-1", parts: 1 } };
      await expect(
        store.completeIdempotencyKey(key, "claim-2", "completed", response),
      ).resolves.toBe(false);
      await expect(
        store.completeIdempotencyKey(key, "claim-1", "completed", response),
      ).resolves.toBe(true);
      await expect(store.claimIdempotencyKey(record)).resolves.toMatchObject({
        claimed: false,
        existing: { state: "completed", response },
      });
      // A completed key is never released: a text went out for it.
      await expect(store.releaseIdempotencyKey(key, "claim-1")).resolves.toBe(false);
      const fresh = id("key");
      await store.claimIdempotencyKey({ ...record, key: fresh });
      await expect(store.releaseIdempotencyKey(fresh, "claim-2")).resolves.toBe(false);
      await expect(store.releaseIdempotencyKey(fresh, "claim-1")).resolves.toBe(true);
      await expect(store.claimIdempotencyKey({ ...record, key: fresh })).resolves.toEqual({
        claimed: true,
      });
      const later = {
        ...record,
        token: "claim-3",
        fingerprint: "f3",
        createdAt: t(31),
        expiresAt: t(60),
      };
      await expect(store.claimIdempotencyKey(later)).resolves.toEqual({ claimed: true });
    });

    it("recognises its own idempotency claim when it meets it again (a lost answer)", async () => {
      const record = {
        key: id("key"),
        token: "mine",
        fingerprint: "f1",
        state: "pending" as const,
        createdAt: t(0),
        expiresAt: t(30),
      };
      await store.claimIdempotencyKey(record);
      await expect(store.claimIdempotencyKey(record)).resolves.toEqual({ claimed: true });
      await expect(
        store.claimIdempotencyKey({ ...record, token: "theirs" }),
      ).resolves.toMatchObject({ claimed: false });
    });

    it("gives one of five concurrent claims of a key", async () => {
      const key = id("key");
      const results = await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          store.claimIdempotencyKey({
            key,
            token: `claim-${i}`,
            fingerprint: "f",
            state: "pending",
            createdAt: t(0),
            expiresAt: t(30),
          }),
        ),
      );
      expect(results.filter((r) => r.claimed)).toHaveLength(1);
    });

    it("recognises a conversation created by the same request, refuses another's", async () => {
      const c = conversation({ creationToken: "request-1" });
      await expect(store.createConversation(c)).resolves.toBe(true);
      await expect(store.createConversation(c)).resolves.toBe(true);
      await expect(store.createConversation({ ...c, creationToken: "request-2" })).resolves.toBe(
        false,
      );
      await expect(store.getConversation(c.conversationId)).resolves.toEqual(c);
    });

    it("links a recorded message to its conversation in the same step", async () => {
      const c = conversation();
      await store.createConversation(c);
      const m = outbound({ conversationId: c.conversationId });
      await store.recordOutbound(m);
      await expect(store.getConversation(c.conversationId)).resolves.toMatchObject({
        lastMessageId: m.messageId,
      });
      await expect(store.getOutbound(m.messageId)).resolves.toEqual(m);
    });

    it("lets the newest keyword decide the opt-out, whatever order they are stored in", async () => {
      const p = id("patient");
      const start = inbound({ patientRef: p, kind: "opt_in", text: "START", receivedAt: t(3) });
      const stop = inbound({ patientRef: p, kind: "opt_out", text: "STOP", receivedAt: t(2) });
      await store.recordInbound({ inbound: start, optOut: { patientRef: p, optedOut: false } });
      // Received earlier, stored later: the message is kept, the state is not overwritten.
      await expect(
        store.recordInbound({ inbound: stop, optOut: { patientRef: p, optedOut: true } }),
      ).resolves.toBe("created");
      await expect(store.isOptedOut(p)).resolves.toBe(false);
      // An opt-out reported at an older time than the START changes nothing either.
      await expect(store.setOptOut(p, true, t(1))).resolves.toBe(false);
      await expect(store.isOptedOut(p)).resolves.toBe(false);
      const later = inbound({ patientRef: p, kind: "opt_out", text: "STOP", receivedAt: t(4) });
      await store.recordInbound({ inbound: later, optOut: { patientRef: p, optedOut: true } });
      await expect(store.isOptedOut(p)).resolves.toBe(true);
    });

    it("ends concurrent START/STOP races on the newest keyword", async () => {
      for (let round = 0; round < 5; round += 1) {
        const p = id("patient");
        // Four at once: enough to interleave, few enough for a loaded emulator's 3 s timeout.
        const keywords = Array.from({ length: 4 }, (_, i) =>
          inbound({
            patientRef: p,
            kind: i % 2 === 0 ? "opt_out" : "opt_in",
            text: i % 2 === 0 ? "STOP" : "START",
            receivedAt: t(10 + ((i * 3 + round) % 4)),
          }),
        );
        await Promise.all(
          keywords.map((k) =>
            store.recordInbound({
              inbound: k,
              optOut: { patientRef: p, optedOut: k.kind === "opt_out" },
            }),
          ),
        );
        const newest = [...keywords].sort((a, b) => (a.receivedAt < b.receivedAt ? 1 : -1))[0];
        await expect(store.isOptedOut(p)).resolves.toBe(newest?.kind === "opt_out");
      }
    });

    it("never reopens a conversation the patient stopped, whatever the order of the writes", async () => {
      const c = conversation({ patientRef: id("patient") });
      await store.createConversation(c);
      const stop = inbound({
        conversationId: c.conversationId,
        patientRef: c.patientRef,
        kind: "opt_out",
        text: "STOP",
        receivedAt: t(2),
      });
      await store.recordInbound({
        inbound: stop,
        conversationUpdate: { conversationId: c.conversationId, status: "opted_out" },
        optOut: { patientRef: c.patientRef, optedOut: true },
      });
      // A slot reply decided from a read taken before the STOP was stored.
      const slot = inbound({
        conversationId: c.conversationId,
        patientRef: c.patientRef,
        kind: "slot",
        text: "1",
        receivedAt: t(3),
      });
      await expect(
        store.recordInbound({
          inbound: slot,
          conversationUpdate: {
            conversationId: c.conversationId,
            status: "replied",
            selectedSlot: 1,
          },
        }),
      ).resolves.toBe("created");
      const after = await store.getConversation(c.conversationId);
      expect(after).toMatchObject({ status: "opted_out" });
      expect(after?.selectedSlot).toBeUndefined();
      await expect(store.listReplies(c.conversationId)).resolves.toHaveLength(2);
      await expect(store.latestOpenConversation(c.patientRef, t(20))).resolves.toBeUndefined();
    });

    it("races slot replies and a STOP on one conversation and ends opted out", async () => {
      const c = conversation({ patientRef: id("patient") });
      await store.createConversation(c);
      const writes = Array.from({ length: 6 }, (_, i) => {
        const kind = i === 3 ? ("opt_out" as const) : ("slot" as const);
        return store.recordInbound({
          inbound: inbound({
            conversationId: c.conversationId,
            patientRef: c.patientRef,
            kind,
            text: kind === "opt_out" ? "STOP" : "2",
            receivedAt: t(5 + i),
          }),
          conversationUpdate:
            kind === "opt_out"
              ? { conversationId: c.conversationId, status: "opted_out" }
              : { conversationId: c.conversationId, status: "replied", selectedSlot: 2 },
          ...(kind === "opt_out" ? { optOut: { patientRef: c.patientRef, optedOut: true } } : {}),
        });
      });
      await expect(Promise.all(writes)).resolves.toEqual(Array(6).fill("created"));
      await expect(store.getConversation(c.conversationId)).resolves.toMatchObject({
        status: "opted_out",
      });
      await expect(store.listReplies(c.conversationId)).resolves.toHaveLength(6);
    });

    it("keeps a message's effects until each is taken, once", async () => {
      const p = id("patient");
      const stop = inbound({ patientRef: p, kind: "opt_out", text: "STOP" });
      const effects = [
        {
          effectId: "1-audit",
          kind: "audit" as const,
          action: "optout.recorded",
          record: `patient:${p}`,
        },
        {
          effectId: "2-reply",
          kind: "keyword_reply" as const,
          action: "opt_out",
          record: `patient:${p}`,
        },
      ];
      await store.recordInbound({
        inbound: stop,
        optOut: { patientRef: p, optedOut: true },
        effects,
      });
      await expect(store.pendingEffects(stop.inboundMessageId)).resolves.toEqual(effects);
      // A duplicate stores no second set.
      await store.recordInbound({ inbound: stop, effects });
      const taken = await Promise.all([
        store.takeEffect(stop.inboundMessageId, "2-reply"),
        store.takeEffect(stop.inboundMessageId, "2-reply"),
      ]);
      expect(taken.filter(Boolean)).toHaveLength(1);
      await expect(store.pendingEffects(stop.inboundMessageId)).resolves.toEqual([effects[0]]);
      await expect(store.pendingEffects(id("in"))).resolves.toEqual([]);
    });

    it("keeps the newest registration status", async () => {
      const r = id("registration");
      await store.recordRegistrationEvent({ registrationId: r, status: "REVIEWING", at: t(2) });
      await store.recordRegistrationEvent({ registrationId: r, status: "SUBMITTED", at: t(1) });
      await expect(store.getRegistrationStatus(r)).resolves.toEqual({
        registrationId: r,
        status: "REVIEWING",
        at: t(2),
      });
      await store.recordRegistrationEvent({ registrationId: r, status: "COMPLETE", at: t(3) });
      await expect(store.getRegistrationStatus(r)).resolves.toMatchObject({ status: "COMPLETE" });
    });
  });
}
