import { locateAreaCode } from "../../../runtime/src/outbound/rules/nanpAreaCodes";
import { NANP_AREA_CODES } from "../../../runtime/src/outbound/rules/nanpAreaCodeData";
import { STATE_QUIET_HOURS } from "../../../runtime/src/outbound/rules/stateQuietHours";
import { assertTimeZone } from "../../../runtime/src/outbound/rules/zonedTime";

describe("the NANP area code table", () => {
  it("locates a number by its area code", () => {
    expect(locateAreaCode("+12125550123")).toEqual({
      areaCode: "212",
      region: "NY",
      zones: ["America/New_York"],
    });
  });

  it("keeps every zone of a code that spans several", () => {
    expect(locateAreaCode("+13085550123")?.zones).toEqual(["America/Chicago", "America/Denver"]);
    expect(locateAreaCode("+18505550123")).toMatchObject({
      region: "FL",
      zones: ["America/Chicago", "America/New_York"],
    });
  });

  it("knows no location for non-NANP numbers, malformed ones and unlisted codes", () => {
    expect(locateAreaCode("+447700900123")).toBeUndefined();
    expect(locateAreaCode("+1212555012")).toBeUndefined();
    expect(locateAreaCode("+11125550123")).toBeUndefined();
    expect(locateAreaCode("+19995550123")).toBeUndefined();
  });

  it("has only zones ICU knows and a state for every code of a state with a window", () => {
    const rows = Object.entries(NANP_AREA_CODES);
    expect(rows.length).toBeGreaterThan(400);
    for (const [, [, ...zones]] of rows) for (const z of zones) expect(assertTimeZone(z)).toBe(z);
    for (const s of STATE_QUIET_HOURS) {
      expect({
        state: s.state,
        codes: rows.filter(([, r]) => r[0] === s.state).length > 0,
      }).toEqual({
        state: s.state,
        codes: true,
      });
    }
    // Florida's codes, spot-checked against the state's own list.
    for (const code of ["305", "407", "813", "904", "954"])
      expect(NANP_AREA_CODES[code]![0]).toBe("FL");
  });
});
