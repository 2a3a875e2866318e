import {
  parseFrequencyCap,
  parseQuietHours,
} from "../../../runtime/src/outbound/rules/policySettings";

describe("QUIET_HOURS", () => {
  it("defaults to 08:00-21:00 and reads a window", () => {
    expect(parseQuietHours(undefined)).toEqual({ allowedStart: "08:00", allowedEnd: "21:00" });
    expect(parseQuietHours(" 09:30-20:00 ")).toEqual({
      allowedStart: "09:30",
      allowedEnd: "20:00",
    });
  });

  it("names the key and the fix", () => {
    expect(() => parseQuietHours("8-9pm")).toThrow(
      'QUIET_HOURS: "8-9pm" is not a window "HH:MM-HH:MM" (e.g. 08:00-21:00)',
    );
    expect(() => parseQuietHours("25:00-26:00")).toThrow(/QUIET_HOURS: "25:00"/);
    expect(() => parseQuietHours("21:00-08:00")).toThrow(/QUIET_HOURS: .*must end after it starts/);
  });
});

describe("FREQUENCY_CAP", () => {
  it("defaults to none and reads N/<seconds>", () => {
    expect(parseFrequencyCap(undefined)).toBeUndefined();
    expect(parseFrequencyCap("none")).toBeUndefined();
    expect(parseFrequencyCap("3/604800")).toEqual({ maxSends: 3, windowSeconds: 604800 });
  });

  it("names the key and the fix", () => {
    for (const bad of ["0/60", "3/0", "3 per week", "-1/60", "3/604800/1"]) {
      expect(() => parseFrequencyCap(bad)).toThrow(
        new RegExp(`^FREQUENCY_CAP: "${bad.replace(/[/]/g, "\\/")}" is not "N/<seconds>"`),
      );
    }
  });
});
