import { deliveryEvent } from "../support/events";
import { inboundNotification } from "../support/snsSigner";
import { EVENTBRIDGE_KEY, OUR_NUMBER, snsHeaders } from "../support/testApp";
import type { NumberReadiness } from "../../runtime/src/sms/numberReadiness";
import { buildFlowApp, TestClock, type FlowApp } from "./flowApp";

// 212: New York (Eastern). 850: the Florida panhandle, Eastern and Central.
const NEW_YORK = "+12125550142";
const PANHANDLE = "+18505550142";
// 14:00 in New York, 11:00 in Los Angeles: inside every US window.
const AFTERNOON = "2026-11-25T19:00:00.000Z";

let t: FlowApp;
afterEach(async () => {
  await t?.close();
});

const send = (payload: object) => t.call("POST", "/v1/messages", payload);
const verdicts = () =>
  t.audit.events.filter((e) => e.action === "send.verdict").map((e) => e.reason ?? "");

describe("quiet hours", () => {
  it("defers a send at 23:00 recipient-local to 08:00 and sends it then", async () => {
    t = await buildFlowApp({ clock: new TestClock(Date.parse("2026-11-26T04:00:00Z")) });
    const res = await send({ to: NEW_YORK, body: "Reminder: Tue 3 PM" });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      status: "deferred",
      dueAt: "2026-11-26T13:00:00.000Z",
      verdict: { decision: "defer" },
    });
    expect(res.body.messageId).toBe(res.body.sendId);
    expect(res.body.sendId).toMatch(/^send-/);
    expect(t.gateway.sent).toHaveLength(0);

    await t.drain();
    expect(t.gateway.sent).toHaveLength(0);

    t.clock.set("2026-11-26T13:00:00Z");
    await t.drain();
    expect(t.gateway.sent).toHaveLength(1);
    expect(t.gateway.sent[0]!.context).toMatchObject({ sendId: res.body.sendId });
    const view = await t.call("GET", `/v1/messages/${res.body.sendId}`);
    expect(view.body).toMatchObject({
      sendId: res.body.sendId,
      messageId: t.gateway.sent[0]!.messageId,
      status: "sent",
      attempts: [{ outcome: "sent", messageId: t.gateway.sent[0]!.messageId }],
    });
    // The verdicts, each an audit event naming its rules: defer, then allow.
    expect(verdicts()).toEqual([
      expect.stringMatching(/^defer:2026-11-26T13:00:00.000Z:.*quiet-hours/),
      expect.stringMatching(/^allow:/),
    ]);
  });

  it("with QUIET_HOURS=off sends at any hour, yet keeps other deferrals", async () => {
    t = await buildFlowApp({
      clock: new TestClock(Date.parse("2026-11-26T04:00:00Z")),
      sendRules: { quietHours: "off" },
    });
    expect((await send({ to: NEW_YORK, body: "late" })).body.status).toBe("sent");
    // 20:00 in Seattle is outside Washington's calling hours (8 a.m.–8 p.m.): sent all the same.
    expect((await send({ to: "+14255550150", body: "late" })).body.status).toBe("sent");
    const later = await send({ to: NEW_YORK, body: "x", sendAt: "2026-11-26T05:00:00Z" });
    expect(later.body.status).toBe("scheduled");
  });

  it("uses the intersection of the windows when the area code spans zones", async () => {
    // 08:30 Eastern is 07:30 Central: the Central half of 850 is still asleep until 14:00Z.
    t = await buildFlowApp({ clock: new TestClock(Date.parse("2026-11-25T13:30:00Z")) });
    const res = await send({ to: PANHANDLE, body: "Reminder" });
    expect(res.body).toMatchObject({ status: "deferred", dueAt: "2026-11-25T14:00:00.000Z" });
    // The agent's time zone overrides the area code.
    const eastern = await send({ to: PANHANDLE, body: "Reminder", timeZone: "America/New_York" });
    expect(eastern.body).toMatchObject({ status: "sent" });
  });
});

describe("consent", () => {
  it("refuses a send without consent, and sends once consent is recorded", async () => {
    t = await buildFlowApp({
      clock: new TestClock(Date.parse(AFTERNOON)),
      sendRules: { requireConsent: true },
    });
    const refused = await send({ to: NEW_YORK, body: "Reminder", consentScope: "reminders" });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe("CONSENT_REQUIRED");
    expect(verdicts()).toEqual([
      expect.stringMatching(/^deny:CONSENT_REQUIRED:.*consent\.required/),
    ]);

    const consent = {
      to: NEW_YORK,
      scope: "reminders",
      source: "intake-form",
      capturedAt: "2026-11-20T10:00:00Z",
      evidenceRef: "form-123",
    };
    const given = await t.call("POST", "/v1/consents", consent);
    expect(given.status).toBe(200);
    expect(given.body).toMatchObject({ scope: "reminders", granted: true, applied: true });
    expect(t.audit.events.find((e) => e.action === "patient.consent.granted")).toMatchObject({
      outcome: "success",
      reason: "scope:reminders;source:intake-form",
    });

    const ok = await send({ to: NEW_YORK, body: "Reminder", consentScope: "reminders" });
    expect(ok.status).toBe(202);
    expect(ok.body.status).toBe("sent");

    t.clock.advance(1000);
    const revoked = await t.call("DELETE", "/v1/consents", consent);
    expect(revoked.body).toMatchObject({ granted: false, applied: true });
    const again = await send({ to: NEW_YORK, body: "Reminder", consentScope: "reminders" });
    expect(again.body.code).toBe("CONSENT_REQUIRED");
    expect(t.gateway.sent).toHaveLength(1);
  });

  it("re-checks consent when a scheduled send comes due: a revocation meanwhile wins", async () => {
    t = await buildFlowApp({
      clock: new TestClock(Date.parse(AFTERNOON)),
      sendRules: { requireConsent: true },
    });
    const consent = {
      to: NEW_YORK,
      scope: "reminders",
      source: "ehr",
      capturedAt: "2026-11-20T10:00:00Z",
    };
    await t.call("POST", "/v1/consents", consent);
    const scheduled = await send({
      to: NEW_YORK,
      body: "Reminder",
      consentScope: "reminders",
      sendAt: "2026-11-25T20:00:00Z",
    });
    expect(scheduled.body.status).toBe("scheduled");
    t.clock.advance(1000);
    await t.call("DELETE", "/v1/consents", consent);
    t.clock.set("2026-11-25T20:00:00Z");
    await t.drain();
    expect(t.gateway.sent).toHaveLength(0);
    const view = await t.call("GET", `/v1/messages/${scheduled.body.sendId}`);
    expect(view.body).toMatchObject({
      status: "denied",
      verdict: { decision: "deny", code: "CONSENT_REQUIRED" },
    });
  });
});

describe("the frequency cap", () => {
  it("refuses the send over the cap with 429 and when it clears", async () => {
    t = await buildFlowApp({
      clock: new TestClock(Date.parse(AFTERNOON)),
      sendRules: { frequencyCap: { maxSends: 2, windowSeconds: 86_400 } },
    });
    expect((await send({ to: NEW_YORK, body: "one" })).body.status).toBe("sent");
    t.clock.advance(3600_000);
    expect((await send({ to: NEW_YORK, body: "two" })).body.status).toBe("sent");
    t.clock.advance(3600_000);
    const third = await send({ to: NEW_YORK, body: "three" });
    expect(third.status).toBe(429);
    expect(third.body.code).toBe("FREQUENCY_CAP_REACHED");
    // The first send leaves the 24 h window 22 h from now.
    expect(third.headers["retry-after"]).toBe(String(22 * 3600));
    expect(verdicts().at(-1)).toMatch(/^deny:FREQUENCY_CAP_REACHED:.*frequency-cap\.rolling/);
    // Another patient is not affected.
    expect((await send({ to: "+12125550199", body: "one" })).body.status).toBe("sent");
  });
});

describe("carrier retries", () => {
  const event = (messageId: string, status: string) =>
    t.call("POST", "/sms/webhook", deliveryEvent(messageId, status, true), {
      "content-type": "application/json",
      "x-api-key": EVENTBRIDGE_KEY,
    });

  it("re-sends after a temporary failure at +1 min, +10 min, then stops", async () => {
    t = await buildFlowApp({ clock: new TestClock(Date.parse(AFTERNOON)) });
    const first = await send({ to: NEW_YORK, body: "Reminder" });
    expect(first.body.status).toBe("sent");
    expect((await event(first.body.messageId, "UNREACHABLE")).status).toBe(200);

    let view = await t.call("GET", `/v1/messages/${first.body.sendId}`);
    expect(view.body).toMatchObject({ status: "queued", dueAt: "2026-11-25T19:01:00.000Z" });
    t.clock.advance(60_000);
    await t.drain();
    expect(t.gateway.sent).toHaveLength(2);

    await event(t.gateway.sent[1]!.messageId, "TTL_EXPIRED");
    t.clock.advance(9 * 60_000);
    await t.drain();
    expect(t.gateway.sent).toHaveLength(2);
    t.clock.advance(60_000);
    await t.drain();
    expect(t.gateway.sent).toHaveLength(3);

    await event(t.gateway.sent[2]!.messageId, "UNREACHABLE");
    t.clock.advance(3600_000);
    await t.drain();
    expect(t.gateway.sent).toHaveLength(3);
    view = await t.call("GET", `/v1/messages/${first.body.sendId}`);
    expect(view.body.attempts.map((a: { deliveryStatus?: string }) => a.deliveryStatus)).toEqual([
      "UNREACHABLE",
      "TTL_EXPIRED",
      "UNREACHABLE",
    ]);
  });

  it.each(["UNKNOWN", "BLOCKED", "SPAM", "INVALID", "CARRIER_BLOCKED", "DELIVERED"])(
    "never re-sends after %s",
    async (status) => {
      t = await buildFlowApp({ clock: new TestClock(Date.parse(AFTERNOON)) });
      const first = await send({ to: NEW_YORK, body: "Reminder" });
      await event(first.body.messageId, status);
      t.clock.advance(3600_000);
      await t.drain();
      expect(t.gateway.sent).toHaveLength(1);
    },
  );
});

describe("the registration gate", () => {
  it("defers sends while the number is not active, says why on /readyz, and sends once it is", async () => {
    let number: NumberReadiness = { checked: true, ready: false, status: "PENDING" };
    t = await buildFlowApp({
      clock: new TestClock(Date.parse(AFTERNOON)),
      numberReadiness: { current: () => number },
    });
    const res = await send({ to: NEW_YORK, body: "Reminder" });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      status: "deferred",
      verdict: { decision: "defer", ruleIds: expect.arrayContaining(["registration.active"]) },
    });
    const ready = await t.call("GET", "/readyz");
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ sendsHeld: true, sendsHeldReason: "number status PENDING" });
    expect(t.logs.join("")).toMatch(/"sendsHeld":true/);

    number = { checked: true, ready: true, status: "ACTIVE" };
    t.clock.set(res.body.dueAt);
    await t.drain();
    expect(t.gateway.sent).toHaveLength(1);
    expect((await t.call("GET", "/readyz")).body).toMatchObject({ sendsHeld: false });
  });
});

describe("scheduling and cancelling", () => {
  it("sends at sendAt, not before", async () => {
    t = await buildFlowApp({ clock: new TestClock(Date.parse(AFTERNOON)) });
    const res = await send({ to: NEW_YORK, body: "Tomorrow", sendAt: "2026-11-26T15:00:00Z" });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: "scheduled", dueAt: "2026-11-26T15:00:00.000Z" });
    t.clock.set("2026-11-26T14:59:00Z");
    await t.drain();
    expect(t.gateway.sent).toHaveLength(0);
    t.clock.set("2026-11-26T15:00:00Z");
    await t.drain();
    expect(t.gateway.sent).toHaveLength(1);
    const byProviderId = await t.call("GET", `/v1/messages/${t.gateway.sent[0]!.messageId}`);
    expect(byProviderId.body).toMatchObject({ sendId: res.body.sendId, status: "sent" });
  });

  it("cancels a scheduled send, which then never leaves", async () => {
    t = await buildFlowApp({ clock: new TestClock(Date.parse(AFTERNOON)) });
    const res = await send({ to: NEW_YORK, body: "Tomorrow", sendAt: "2026-11-26T15:00:00Z" });
    const cancelled = await t.call("DELETE", `/v1/messages/${res.body.sendId}`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toEqual({
      messageId: res.body.sendId,
      sendId: res.body.sendId,
      status: "cancelled",
    });
    const again = await t.call("DELETE", `/v1/messages/${res.body.sendId}`);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe("SEND_NOT_CANCELLABLE");
    t.clock.set("2026-11-26T15:00:00Z");
    await t.drain();
    expect(t.gateway.sent).toHaveLength(0);
    expect((await t.call("GET", `/v1/messages/${res.body.sendId}`)).body.status).toBe("cancelled");
    expect((await t.call("DELETE", "/v1/messages/send-nope")).status).toBe(404);
    const sent = await send({ to: NEW_YORK, body: "now" });
    expect((await t.call("DELETE", `/v1/messages/${sent.body.messageId}`)).status).toBe(409);
  });

  it("refuses a sendAt in the past or too far ahead, and an unknown time zone", async () => {
    t = await buildFlowApp({ clock: new TestClock(Date.parse(AFTERNOON)) });
    const past = await send({ to: NEW_YORK, body: "x", sendAt: "2026-11-25T18:00:00Z" });
    expect([past.status, past.body.code]).toEqual([400, "INVALID_SEND_AT"]);
    const far = await send({ to: NEW_YORK, body: "x", sendAt: "2027-01-25T18:00:00Z" });
    expect([far.status, far.body.code]).toEqual([400, "INVALID_SEND_AT"]);
    const zone = await send({ to: NEW_YORK, body: "x", timeZone: "Mars/Olympus" });
    expect([zone.status, zone.body.code]).toEqual([400, "INVALID_TIME_ZONE"]);
    expect(t.gateway.sent).toHaveLength(0);
  });
});

describe("the rate and the queue", () => {
  it("sends what the rate allows within about a second and queues the rest; the worker sends it later", async () => {
    t = await buildFlowApp({
      clock: new TestClock(Date.parse(AFTERNOON)),
      config: { maxPartsPerSecond: 2 },
    });
    // 2 MPS is paced in bursts, 2 parts at the start of windows 1.04 s apart: the first two sends
    // wait inline for the next window (it starts 400 ms after AFTERNOON); the third's window
    // starts 1.44 s out, past the agent API's wait (1.1 s), so it is queued.
    const first = await send({ to: NEW_YORK, body: "one" });
    const second = await send({ to: "+12125550199", body: "two" });
    const third = await send({ to: "+12125550198", body: "three" });
    expect(first.body.status).toBe("sent");
    expect(second.body.status).toBe("sent");
    expect(third.body).toMatchObject({ status: "queued", messageId: third.body.sendId });
    expect(t.gateway.sent.map((s) => s.body)).toEqual(["one", "two"]);
    t.clock.advance(2200);
    await t.drain();
    expect(t.gateway.sent.map((s) => s.body)).toEqual(["one", "two", "three"]);
  });

  it("puts a throttled send back (nothing was sent) instead of failing the agent", async () => {
    t = await buildFlowApp({ clock: new TestClock(Date.parse(AFTERNOON)) });
    t.gateway.failures.push("throttled");
    const res = await send({ to: NEW_YORK, body: "x" });
    expect(res.status).toBe(202);
    expect(res.body.status).toBe("queued");
    t.clock.advance(1000);
    await t.drain();
    expect(t.gateway.sent).toHaveLength(1);
  });

  it("replays the first answer for the same idempotency key, never a second send", async () => {
    t = await buildFlowApp({ clock: new TestClock(Date.parse("2026-11-26T04:00:00Z")) });
    const payload = { to: NEW_YORK, body: "x", idempotencyKey: "k-1" };
    const first = await send(payload);
    const replay = await send(payload);
    expect(replay.body).toEqual(first.body);
    t.clock.set("2026-11-26T13:00:00Z");
    await t.drain();
    expect(t.gateway.sent).toHaveLength(1);
  });
});

describe("batches", () => {
  it("answers per item; a failing item does not fail the others", async () => {
    t = await buildFlowApp({ clock: new TestClock(Date.parse(AFTERNOON)) });
    const res = await t.call("POST", "/v1/messages/batch", {
      messages: [
        { to: NEW_YORK, body: "one" },
        { to: "12", body: "bad number" },
        { to: NEW_YORK },
        { to: "+12125550199", body: "later", sendAt: "2026-11-26T15:00:00Z" },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.results).toEqual([
      expect.objectContaining({ index: 0, status: "sent" }),
      expect.objectContaining({ index: 1, status: "error", code: "INVALID_PHONE_NUMBER" }),
      expect.objectContaining({ index: 2, status: "error", code: "INVALID_REQUEST" }),
      expect.objectContaining({ index: 3, status: "scheduled" }),
    ]);
    expect(t.gateway.sent).toHaveLength(1);
  });

  it("refuses more than 1000 items as a whole", async () => {
    t = await buildFlowApp({ clock: new TestClock(Date.parse(AFTERNOON)) });
    const messages = Array.from({ length: 1001 }, () => ({ to: NEW_YORK, body: "x" }));
    const res = await t.call("POST", "/v1/messages/batch", { messages });
    expect(res.status).toBe(400);
    expect(t.gateway.sent).toHaveLength(0);
  });
});

describe("STOP and START", () => {
  const inbound = (text: string) =>
    t.call(
      "POST",
      "/sms/webhook",
      inboundNotification(
        {
          originationNumber: NEW_YORK,
          destinationNumber: OUR_NUMBER,
          messageKeyword: "KEYWORD_123",
          messageBody: text,
          inboundMessageId: `in-${Math.random().toString(36).slice(2)}`,
        },
        { timestamp: t.clock.now() },
      ),
      snsHeaders(),
    );

  it("STOP revokes every consent; START restores the ones STOP revoked", async () => {
    t = await buildFlowApp({
      clock: new TestClock(Date.parse(AFTERNOON)),
      sendRules: { requireConsent: true },
    });
    const consent = (scope: string) => ({
      to: NEW_YORK,
      scope,
      source: "intake-form",
      capturedAt: "2026-11-20T10:00:00Z",
    });
    await t.call("POST", "/v1/consents", consent("reminders"));
    await t.call("POST", "/v1/consents", consent("billing"));
    t.clock.advance(1000);
    await t.call("DELETE", "/v1/consents", consent("billing"));

    t.clock.advance(1000);
    expect((await inbound("STOP")).status).toBe(200);
    const revoked = t.audit.events.filter(
      (e) => e.action === "patient.consent.revoked" && e.reason?.includes("keyword:STOP"),
    );
    expect(revoked.map((e) => e.reason)).toEqual(["scope:reminders;source:keyword:STOP"]);
    const refused = await send({ to: NEW_YORK, body: "x", consentScope: "reminders" });
    expect(refused.body.code).toBe("PATIENT_OPTED_OUT");

    t.clock.advance(1000);
    expect((await inbound("START")).status).toBe(200);
    expect(
      t.audit.events.filter((e) => e.reason?.includes("keyword:START")).map((e) => e.reason),
    ).toEqual(["scope:reminders;source:keyword:START"]);
    const reminders = await send({ to: NEW_YORK, body: "x", consentScope: "reminders" });
    expect(reminders.body.status).toBe("sent");
    // The scope the agent revoked stays revoked.
    const billing = await send({ to: NEW_YORK, body: "x", consentScope: "billing" });
    expect(billing.body.code).toBe("CONSENT_REQUIRED");
  });
});
