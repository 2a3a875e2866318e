import { decideSend } from "../../../runtime/src/outbound/rules/decideSend";
import { InvalidTimeZoneError } from "../../../runtime/src/outbound/rules/zonedTime";
import type { SendPolicy, SendRuleInput } from "../../../runtime/src/outbound/sendRules";
import type { ConsentRecord } from "../../../runtime/src/outbound/sendRecord";

const NEW_YORK = "+12125550123";
const CHICAGO = "+13125550123";
/** 308: western Nebraska, Central and Mountain time. */
const NEBRASKA_SPLIT = "+13085550123";
const MIAMI = "+13055550123";
const DALLAS = "+12145550123";
const LONDON = "+447700900123";

const policy: SendPolicy = {
  requireConsent: false,
  quietHours: { allowedStart: "08:00", allowedEnd: "21:00" },
  frequencyCap: undefined,
  registrationRecheckSeconds: 300,
};

function input(over: Partial<SendRuleInput> & { now: Date }): SendRuleInput {
  return {
    to: NEW_YORK,
    purpose: "message",
    optedOut: false,
    recentSendTimes: [],
    registration: { ready: true },
    ...over,
  };
}

function consent(over: Partial<ConsentRecord> = {}): ConsentRecord {
  return {
    patientRef: "p-1",
    scope: "appointment-reminders",
    granted: true,
    source: "agent",
    capturedAt: "2026-01-01T00:00:00.000Z",
    at: "2026-01-01T00:00:01.000Z",
    ...over,
  };
}

const at = (iso: string) => new Date(iso);
/** 10:00 in New York (EDT), a Monday. */
const MONDAY_MORNING_NY = at("2026-06-15T14:00:00Z");

describe("decideSend: allow", () => {
  it("allows inside the window and lists every rule it evaluated", () => {
    const v = decideSend(input({ now: MONDAY_MORNING_NY }), policy);
    expect(v).toEqual({
      decision: "allow",
      decidedAt: "2026-06-15T14:00:00.000Z",
      ruleIds: [
        "opt-out.stop",
        "send-at.requested",
        "registration.active",
        "quiet-hours.default",
        "quiet-hours.area-code",
      ],
    });
  });

  it("lists consent and the cap among the evaluated rules when the policy turns them on", () => {
    const v = decideSend(input({ now: MONDAY_MORNING_NY, consent: consent() }), {
      ...policy,
      requireConsent: true,
      frequencyCap: { maxSends: 3, windowSeconds: 604800 },
    });
    expect(v.decision).toBe("allow");
    expect(v.ruleIds).toEqual(
      expect.arrayContaining(["consent.required", "frequency-cap.rolling"]),
    );
  });
});

describe("decideSend: opt-out", () => {
  it("denies a patient who replied STOP", () => {
    const v = decideSend(input({ now: MONDAY_MORNING_NY, optedOut: true }), policy);
    expect(v).toEqual({
      decision: "deny",
      code: "PATIENT_OPTED_OUT",
      ruleIds: ["opt-out.stop"],
      decidedAt: "2026-06-15T14:00:00.000Z",
    });
  });

  it("denies before it defers: an opted-out patient at night is refused, not queued", () => {
    const v = decideSend(input({ now: at("2026-06-16T03:00:00Z"), optedOut: true }), policy);
    expect(v.decision).toBe("deny");
  });

  it("names every refusing rule and takes the code of the first", () => {
    const v = decideSend(input({ now: MONDAY_MORNING_NY, optedOut: true }), {
      ...policy,
      requireConsent: true,
    });
    expect(v).toMatchObject({
      decision: "deny",
      code: "PATIENT_OPTED_OUT",
      ruleIds: ["opt-out.stop", "consent.required"],
    });
  });
});

describe("decideSend: consent", () => {
  const strict = { ...policy, requireConsent: true };
  const scoped = { now: MONDAY_MORNING_NY, consentScope: "appointment-reminders" };

  it("denies CONSENT_REQUIRED without a recorded consent", () => {
    expect(decideSend(input(scoped), strict)).toMatchObject({
      decision: "deny",
      code: "CONSENT_REQUIRED",
      ruleIds: ["consent.required"],
    });
  });

  it("denies a revoked consent", () => {
    const v = decideSend(input({ ...scoped, consent: consent({ granted: false }) }), strict);
    expect(v).toMatchObject({ decision: "deny", code: "CONSENT_REQUIRED" });
  });

  it("denies a consent for another scope", () => {
    const v = decideSend(input({ ...scoped, consent: consent({ scope: "billing" }) }), strict);
    expect(v).toMatchObject({ decision: "deny", code: "CONSENT_REQUIRED" });
  });

  it("allows with a granted consent for the scope", () => {
    expect(decideSend(input({ ...scoped, consent: consent() }), strict).decision).toBe("allow");
  });

  it("accepts a granted consent of any scope when the send names none", () => {
    const v = decideSend(
      input({ now: MONDAY_MORNING_NY, consent: consent({ scope: "billing" }) }),
      strict,
    );
    expect(v.decision).toBe("allow");
  });

  it("does not ask for consent when the policy does not require it", () => {
    expect(decideSend(input(scoped), policy).decision).toBe("allow");
  });
});

describe("decideSend: frequency cap", () => {
  const capped = { ...policy, frequencyCap: { maxSends: 3, windowSeconds: 7 * 86400 } };
  const daysAgo = (n: number) => new Date(MONDAY_MORNING_NY.getTime() - n * 86400_000);

  it("allows below the cap", () => {
    const v = decideSend(
      input({ now: MONDAY_MORNING_NY, recentSendTimes: [daysAgo(1), daysAgo(2)] }),
      capped,
    );
    expect(v.decision).toBe("allow");
  });

  it("denies at the cap with the time the oldest counted send leaves the window", () => {
    const v = decideSend(
      input({ now: MONDAY_MORNING_NY, recentSendTimes: [daysAgo(1), daysAgo(5), daysAgo(3)] }),
      capped,
    );
    expect(v).toEqual({
      decision: "deny",
      code: "FREQUENCY_CAP_REACHED",
      ruleIds: ["frequency-cap.rolling"],
      decidedAt: "2026-06-15T14:00:00.000Z",
      clearsAt: new Date(daysAgo(5).getTime() + 7 * 86400_000).toISOString(),
    });
  });

  it("does not count sends older than the window", () => {
    const v = decideSend(
      input({ now: MONDAY_MORNING_NY, recentSendTimes: [daysAgo(1), daysAgo(3), daysAgo(8)] }),
      capped,
    );
    expect(v.decision).toBe("allow");
  });

  it("clears above the cap (a lowered cap) only when enough sends have left the window", () => {
    const v = decideSend(
      input({
        now: MONDAY_MORNING_NY,
        recentSendTimes: [daysAgo(6), daysAgo(5), daysAgo(2), daysAgo(1)],
      }),
      capped,
    );
    expect(v).toMatchObject({
      clearsAt: new Date(daysAgo(5).getTime() + 7 * 86400_000).toISOString(),
    });
  });
});

describe("decideSend: registration gate", () => {
  const notReady = { ready: false as const, reason: "registration REVIEWING" };

  it("defers by the re-check interval while the number cannot send", () => {
    const v = decideSend(input({ now: MONDAY_MORNING_NY, registration: notReady }), policy);
    expect(v).toEqual({
      decision: "defer",
      until: "2026-06-15T14:05:00.000Z",
      ruleIds: ["registration.active"],
      decidedAt: "2026-06-15T14:00:00.000Z",
    });
  });

  it("moves a re-check that lands at night to the next morning and names quiet hours too", () => {
    // 20:58 in New York: the re-check at 21:03 is after the window closes.
    const v = decideSend(
      input({ now: at("2026-06-16T00:58:00Z"), registration: notReady }),
      policy,
    );
    expect(v).toMatchObject({
      decision: "defer",
      until: "2026-06-16T12:00:00.000Z",
      ruleIds: ["registration.active", "quiet-hours.default", "quiet-hours.area-code"],
    });
  });
});

describe("decideSend: sendAt", () => {
  it("defers to a future sendAt inside the window", () => {
    const v = decideSend(
      input({ now: MONDAY_MORNING_NY, sendAt: at("2026-06-16T15:00:00Z") }),
      policy,
    );
    expect(v).toMatchObject({
      decision: "defer",
      until: "2026-06-16T15:00:00.000Z",
      ruleIds: ["send-at.requested"],
    });
  });

  it("applies quiet hours at the sendAt: 23:00 becomes the next 08:00", () => {
    const v = decideSend(
      input({ now: MONDAY_MORNING_NY, sendAt: at("2026-06-16T03:00:00Z") }),
      policy,
    );
    expect(v).toMatchObject({
      decision: "defer",
      until: "2026-06-16T12:00:00.000Z",
      ruleIds: ["send-at.requested", "quiet-hours.default", "quiet-hours.area-code"],
    });
  });

  it("treats a sendAt in the past as now", () => {
    const v = decideSend(
      input({ now: MONDAY_MORNING_NY, sendAt: at("2026-06-15T13:00:00Z") }),
      policy,
    );
    expect(v.decision).toBe("allow");
  });
});

describe("decideSend: quiet hours", () => {
  it("defers a send at 22:00 recipient-local to 08:00 the next day", () => {
    const v = decideSend(input({ now: at("2026-06-16T02:00:00Z") }), policy);
    expect(v).toMatchObject({
      decision: "defer",
      until: "2026-06-16T12:00:00.000Z",
      ruleIds: ["quiet-hours.default", "quiet-hours.area-code"],
    });
  });

  it("uses the stack's window, not a fixed one", () => {
    const late = { ...policy, quietHours: { allowedStart: "07:00", allowedEnd: "23:00" } };
    expect(decideSend(input({ now: at("2026-06-16T02:00:00Z") }), late).decision).toBe("allow");
  });

  it("defers on the spring-forward day to 08:00 EDT, not 08:00 EST", () => {
    // 2026-03-08: clocks go 02:00 EST → 03:00 EDT. 22:00 EST on the 7th.
    const v = decideSend(input({ now: at("2026-03-08T03:00:00Z") }), policy);
    expect(v).toMatchObject({ decision: "defer", until: "2026-03-08T12:00:00.000Z" });
  });

  it("defers on the fall-back day to 08:00 EST, not 08:00 EDT", () => {
    // 2026-11-01: clocks go 02:00 EDT → 01:00 EST. 23:00 EDT on October 31.
    const v = decideSend(input({ now: at("2026-11-01T03:00:00Z") }), policy);
    expect(v).toMatchObject({ decision: "defer", until: "2026-11-01T13:00:00.000Z" });
  });

  it("defers an area code spanning Central and Mountain to the window's intersection", () => {
    // 08:30 CDT is open in Chicago, but it is 07:30 MDT in the code's western half.
    const morning = at("2026-06-15T13:30:00Z");
    expect(decideSend(input({ now: morning, to: CHICAGO }), policy).decision).toBe("allow");
    expect(decideSend(input({ now: morning, to: NEBRASKA_SPLIT }), policy)).toMatchObject({
      decision: "defer",
      until: "2026-06-15T14:00:00.000Z",
      ruleIds: ["quiet-hours.default", "quiet-hours.area-code"],
    });
    // 20:30 CDT / 19:30 MDT is open in both; 21:30 CDT is closed in the eastern half.
    expect(
      decideSend(input({ now: at("2026-06-16T01:30:00Z"), to: NEBRASKA_SPLIT }), policy).decision,
    ).toBe("allow");
    expect(
      decideSend(input({ now: at("2026-06-16T02:30:00Z"), to: NEBRASKA_SPLIT }), policy),
    ).toMatchObject({ decision: "defer", until: "2026-06-16T14:00:00.000Z" });
  });

  it("applies a state's narrower window by area code (Florida: 8 p.m.)", () => {
    const evening = at("2026-06-16T00:30:00Z"); // 20:30 EDT
    expect(decideSend(input({ now: evening, to: NEW_YORK }), policy).decision).toBe("allow");
    expect(decideSend(input({ now: evening, to: MIAMI }), policy)).toEqual({
      decision: "defer",
      until: "2026-06-16T12:00:00.000Z",
      ruleIds: ["quiet-hours.default", "quiet-hours.area-code", "quiet-hours.state.FL"],
      decidedAt: "2026-06-16T00:30:00.000Z",
    });
  });

  it("applies Texas's day-specific hours: noon on Sunday, 9 a.m. on Monday", () => {
    // 2026-06-14 is a Sunday; 10:00 CDT.
    expect(
      decideSend(input({ now: at("2026-06-14T15:00:00Z"), to: DALLAS }), policy),
    ).toMatchObject({
      decision: "defer",
      until: "2026-06-14T17:00:00.000Z",
      ruleIds: ["quiet-hours.default", "quiet-hours.area-code", "quiet-hours.state.TX"],
    });
    expect(
      decideSend(input({ now: at("2026-06-15T15:00:00Z"), to: DALLAS }), policy).decision,
    ).toBe("allow");
    expect(
      decideSend(input({ now: at("2026-06-15T13:30:00Z"), to: DALLAS }), policy),
    ).toMatchObject({
      decision: "defer",
      until: "2026-06-15T14:00:00.000Z",
    });
  });

  it("keeps the stack's window when it is narrower than the state's", () => {
    const narrow = { ...policy, quietHours: { allowedStart: "10:00", allowedEnd: "18:00" } };
    const v = decideSend(input({ now: at("2026-06-15T13:30:00Z"), to: MIAMI }), narrow);
    expect(v).toMatchObject({ decision: "defer", until: "2026-06-15T14:00:00.000Z" });
  });

  it("uses the request's timeZone instead of the area code's", () => {
    // 09:00 in New York, 06:00 in Los Angeles.
    const now = at("2026-06-15T13:00:00Z");
    expect(decideSend(input({ now }), policy).decision).toBe("allow");
    expect(decideSend(input({ now, timeZone: "America/Los_Angeles" }), policy)).toEqual({
      decision: "defer",
      until: "2026-06-15T15:00:00.000Z",
      ruleIds: ["quiet-hours.default", "quiet-hours.request-time-zone"],
      decidedAt: "2026-06-15T13:00:00.000Z",
    });
  });

  it("gives a number of unknown zone only the hours open in both Eastern and Pacific", () => {
    // 09:00 EDT / 06:00 PDT: deferred to 08:00 PDT; 19:30 EDT / 16:30 PDT is open.
    expect(decideSend(input({ now: at("2026-06-15T13:00:00Z"), to: LONDON }), policy)).toEqual({
      decision: "defer",
      until: "2026-06-15T15:00:00.000Z",
      ruleIds: ["quiet-hours.default"],
      decidedAt: "2026-06-15T13:00:00.000Z",
    });
    expect(
      decideSend(input({ now: at("2026-06-15T23:30:00Z"), to: LONDON }), policy).decision,
    ).toBe("allow");
    // 21:30 EDT is closed on the east coast although it is 18:30 in Los Angeles.
    expect(
      decideSend(input({ now: at("2026-06-16T01:30:00Z"), to: LONDON }), policy),
    ).toMatchObject({
      decision: "defer",
      until: "2026-06-16T15:00:00.000Z",
    });
  });

  it("refuses a timeZone ICU does not know with INVALID_TIME_ZONE", () => {
    const call = () =>
      decideSend(input({ now: MONDAY_MORNING_NY, timeZone: "Mars/Olympus_Mons" }), policy);
    expect(call).toThrow(InvalidTimeZoneError);
    expect(call).toThrow(expect.objectContaining({ code: "INVALID_TIME_ZONE" }));
  });

  it("never names the destination in an error", () => {
    try {
      decideSend(input({ now: MONDAY_MORNING_NY, timeZone: "Nowhere/At_All" }), policy);
      throw new Error("expected a throw");
    } catch (e) {
      expect(String((e as Error).message)).not.toContain("5550123");
    }
  });
});
