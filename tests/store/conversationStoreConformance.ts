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
        fingerprint: "f1",
        state: "pending" as const,
        createdAt: t(0),
        expiresAt: t(30),
      };
      await expect(store.claimIdempotencyKey(record)).resolves.toEqual({ claimed: true });
      await expect(store.claimIdempotencyKey({ ...record, fingerprint: "f2" })).resolves.toEqual({
        claimed: false,
        existing: record,
      });
      const response = { statusCode: 202, body: { messageId: "m-1", parts: 1 } };
      await store.completeIdempotencyKey(key, "completed", response);
      await expect(store.claimIdempotencyKey(record)).resolves.toMatchObject({
        claimed: false,
        existing: { state: "completed", response },
      });
      await store.releaseIdempotencyKey(key);
      await expect(store.claimIdempotencyKey(record)).resolves.toEqual({ claimed: true });
      const later = { ...record, fingerprint: "f3", createdAt: t(31), expiresAt: t(60) };
      await expect(store.claimIdempotencyKey(later)).resolves.toEqual({ claimed: true });
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
