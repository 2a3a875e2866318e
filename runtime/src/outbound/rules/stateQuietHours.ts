/**
 * US states whose telephone-solicitation statutes allow a narrower window than the federal
 * 8 a.m.–9 p.m. (47 CFR § 64.1200(c)(1)), as data: one row per state, with its citation.
 *
 * These statutes govern solicitations; most clinical messages (reminders, results) are not. The
 * service still applies them to every send because it cannot tell a reminder from an offer, and
 * a clinic loses nothing by waiting until 8 a.m. A state applies to numbers whose area code the
 * NANP table places in it; the recipient-local window is the stack's window intersected with
 * the state's.
 *
 * Left out on purpose (not verified well enough to encode): states with day or holiday bans
 * (e.g. Alabama, Louisiana, Mississippi, Rhode Island, Pennsylvania) and other narrower hours
 * (e.g. Connecticut, Kentucky, Massachusetts, Michigan, Minnesota, Nevada, New Mexico). Add a row
 * with its statute when counsel confirms it.
 */

/** 0 = Sunday … 6 = Saturday, in the recipient's zone. */
export type Weekday = 0 | 1 | 2 | 3 | 4 | 5 | 6;

export interface StateWindow {
  /** The weekdays this row covers. */
  days: readonly Weekday[];
  /** "HH:MM" 24h local: start inclusive, end exclusive. */
  start: string;
  end: string;
}

export interface StateQuietHours {
  /** Two-letter USPS code, as `nanpAreaCodes` names the state. */
  state: string;
  /** The statute (name and section). */
  citation: string;
  /** One row per group of weekdays; a weekday not listed has no state limit. */
  windows: readonly StateWindow[];
}

const EVERY_DAY: readonly Weekday[] = [0, 1, 2, 3, 4, 5, 6];

export const STATE_QUIET_HOURS: readonly StateQuietHours[] = [
  {
    state: "FL",
    citation: "Florida Telephone Solicitation Act, Fla. Stat. § 501.059(8)(a): 8 a.m.–8 p.m.",
    windows: [{ days: EVERY_DAY, start: "08:00", end: "20:00" }],
  },
  {
    state: "MD",
    citation:
      "Maryland Stop the Spam Calls Act of 2023, Md. Code, Com. Law § 14-4503: 8 a.m.–8 p.m.",
    windows: [{ days: EVERY_DAY, start: "08:00", end: "20:00" }],
  },
  {
    state: "OK",
    citation:
      "Oklahoma Telephone Solicitation Act of 2022, Okla. Stat. tit. 15, § 775C.4: 8 a.m.–8 p.m.",
    windows: [{ days: EVERY_DAY, start: "08:00", end: "20:00" }],
  },
  {
    state: "TX",
    citation: "Tex. Bus. & Com. Code § 301.051: 9 a.m.–9 p.m. Monday–Saturday, noon–9 p.m. Sunday",
    windows: [
      { days: [1, 2, 3, 4, 5, 6], start: "09:00", end: "21:00" },
      { days: [0], start: "12:00", end: "21:00" },
    ],
  },
  {
    state: "WA",
    citation: "Washington Commercial Telephone Solicitation, RCW 19.158.040(2): 8 a.m.–8 p.m.",
    windows: [{ days: EVERY_DAY, start: "08:00", end: "20:00" }],
  },
];

export function stateQuietHours(state: string | undefined): StateQuietHours | undefined {
  return state === undefined ? undefined : STATE_QUIET_HOURS.find((s) => s.state === state);
}
