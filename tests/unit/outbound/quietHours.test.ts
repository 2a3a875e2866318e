import fc from "fast-check";
import { NANP_AREA_CODES } from "../../../runtime/src/outbound/rules/nanpAreaCodeData";
import {
  nextAllowedInstant,
  parseClock,
  QuietHoursNeverOpenError,
  validateDailyWindow,
} from "../../../runtime/src/outbound/rules/quietHours";
import {
  STATE_QUIET_HOURS,
  type Weekday,
} from "../../../runtime/src/outbound/rules/stateQuietHours";
import {
  assertTimeZone,
  cachedFormatterCount,
  InvalidTimeZoneError,
  wallClockMs,
} from "../../../runtime/src/outbound/rules/zonedTime";

const DEFAULT = { allowedStart: "08:00", allowedEnd: "21:00" };
const at = (iso: string) => new Date(iso);

describe("nextAllowedInstant", () => {
  it("returns the instant itself when the window is open", () => {
    const now = at("2026-06-15T14:00:00Z");
    expect(nextAllowedInstant(now, ["America/New_York"], DEFAULT)).toEqual(now);
  });

  it("opens at the end of the spring-forward gap when the window starts inside it", () => {
    // 2026-03-08 in New York: 02:00 EST jumps to 03:00 EDT (07:00Z); 02:30 never happens.
    const window = { allowedStart: "02:30", allowedEnd: "21:00" };
    expect(nextAllowedInstant(at("2026-03-08T06:00:00Z"), ["America/New_York"], window)).toEqual(
      at("2026-03-08T07:00:00Z"),
    );
  });

  it("opens at the first 01:30 when the clock falls back over it", () => {
    // 2026-11-01 in New York: 01:30 EDT (05:30Z) comes first, 01:30 EST (06:30Z) an hour later.
    const window = { allowedStart: "01:30", allowedEnd: "21:00" };
    expect(nextAllowedInstant(at("2026-11-01T04:00:00Z"), ["America/New_York"], window)).toEqual(
      at("2026-11-01T05:30:00Z"),
    );
  });

  it("follows a zone without daylight saving (Phoenix) all year", () => {
    // 05:00 MST in January and in July: opens at 08:00 MST = 15:00Z both times.
    expect(nextAllowedInstant(at("2026-01-15T12:00:00Z"), ["America/Phoenix"], DEFAULT)).toEqual(
      at("2026-01-15T15:00:00Z"),
    );
    expect(nextAllowedInstant(at("2026-07-15T12:00:00Z"), ["America/Phoenix"], DEFAULT)).toEqual(
      at("2026-07-15T15:00:00Z"),
    );
  });

  it("throws when zones far apart leave no common time in a narrow window", () => {
    const narrow = { allowedStart: "09:00", allowedEnd: "10:00" };
    expect(() =>
      nextAllowedInstant(
        at("2026-06-15T12:00:00Z"),
        ["America/New_York", "Pacific/Honolulu"],
        narrow,
      ),
    ).toThrow(QuietHoursNeverOpenError);
  });

  it("throws InvalidTimeZoneError for a zone ICU does not know", () => {
    expect(() => nextAllowedInstant(at("2026-06-15T12:00:00Z"), ["Not/AZone"], DEFAULT)).toThrow(
      InvalidTimeZoneError,
    );
  });
});

describe("the QUIET_HOURS window", () => {
  it("accepts HH:MM and 24:00 as an end", () => {
    expect(parseClock("08:00")).toBe(480);
    expect(parseClock("24:00")).toBe(1440);
    expect(() => validateDailyWindow({ allowedStart: "08:00", allowedEnd: "24:00" })).not.toThrow();
  });

  it("names the key and the fix for a malformed or reversed window", () => {
    expect(() => parseClock("8am")).toThrow(/QUIET_HOURS: "8am" is not a 24-hour time "HH:MM"/);
    expect(() => parseClock("24:30")).toThrow(/QUIET_HOURS/);
    expect(() => validateDailyWindow({ allowedStart: "21:00", allowedEnd: "08:00" })).toThrow(
      /QUIET_HOURS: the window 21:00-08:00 must end after it starts/,
    );
  });
});

describe("nextAllowedInstant, for any instant, window and area code (property)", () => {
  const codes = Object.keys(NANP_AREA_CODES);
  const minuteOfDay = (zone: string, ms: number) =>
    Math.floor(wallClockMs(zone, ms) / 60_000) % 1440;
  const weekday = (zone: string, ms: number) =>
    new Date(wallClockMs(zone, ms)).getUTCDay() as Weekday;

  function openIn(zone: string, ms: number, startMin: number, endMin: number, state?: string) {
    const m = minuteOfDay(zone, ms);
    let s = startMin;
    let e = endMin;
    const row = STATE_QUIET_HOURS.find((x) => x.state === state)?.windows.find((w) =>
      w.days.includes(weekday(zone, ms)),
    );
    if (row) {
      s = Math.max(s, parseClock(row.start));
      e = Math.min(e, parseClock(row.end));
    }
    return m >= s && m < e;
  }

  it("answers an instant at or after `from`, open in every zone, and none open just before it", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2028, 11, 31) }),
        fc.constantFrom(...codes),
        fc.integer({ min: 6, max: 11 }),
        fc.integer({ min: 17, max: 23 }),
        (fromMs, code, startHour, endHour) => {
          const [region, ...zones] = NANP_AREA_CODES[code]!;
          const window = {
            allowedStart: `${String(startHour).padStart(2, "0")}:00`,
            allowedEnd: `${String(endHour).padStart(2, "0")}:00`,
          };
          const state = STATE_QUIET_HOURS.find((s) => s.state === region);
          const from = new Date(Math.floor(fromMs / 60_000) * 60_000);
          const next = nextAllowedInstant(from, zones as [string, ...string[]], window, state);
          expect(next.getTime()).toBeGreaterThanOrEqual(from.getTime());
          for (const z of zones) {
            expect(openIn(z, next.getTime(), startHour * 60, endHour * 60, region)).toBe(true);
          }
          if (next.getTime() > from.getTime()) {
            const before = next.getTime() - 60_000;
            expect(
              zones.every((z) => openIn(z, before, startHour * 60, endHour * 60, region)),
            ).toBe(false);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("zone formatter cache", () => {
  it("stays bounded when callers spell one zone in ever new letter cases", () => {
    const zone = "America/Argentina/ComodRivadavia";
    const letters = [...zone].map((c, i) => i).filter((i) => /[a-z]/i.test(zone[i]!));
    for (let n = 0; n < 2_500; n += 1) {
      // The n-th spelling: bit b of n upper-cases the b-th letter.
      const spelled = [...zone.toLowerCase()];
      letters.forEach((i, b) => {
        if ((n >> b) & 1) spelled[i] = spelled[i]!.toUpperCase();
      });
      assertTimeZone(spelled.join(""));
    }
    expect(cachedFormatterCount()).toBeLessThanOrEqual(1_000);
    expect(wallClockMs("america/chicago", Date.UTC(2026, 0, 1, 12))).toBe(Date.UTC(2026, 0, 1, 6));
  });
});
