import type { StateQuietHours, Weekday } from "./stateQuietHours";
import { instantOfWallClock, wallClockMs } from "./zonedTime";

/**
 * When a send may leave under quiet hours: the stack's daily window (and a state's, when one
 * applies), recipient-local, in every zone the recipient may be in. The allowed time is the
 * intersection across zones: a send leaves only when it is inside the window everywhere.
 */

/** The stack's window, "HH:MM" 24h: start inclusive, end exclusive, within one day. */
export interface DailyWindow {
  allowedStart: string;
  allowedEnd: string;
}

/** The window never opens within the search horizon (zones too far apart for a narrow window). */
export class QuietHoursNeverOpenError extends Error {
  readonly code = "QUIET_HOURS_NEVER_OPEN";
  constructor(zones: readonly string[]) {
    super(
      `QUIET_HOURS leaves no time inside the window in all of ${zones.join(", ")} within ` +
        `${HORIZON_DAYS} days; widen QUIET_HOURS (e.g. 08:00-21:00)`,
    );
    this.name = "QuietHoursNeverOpenError";
  }
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** Far enough for any weekly pattern, short enough to stay cheap (a few dozen ICU calls). */
const HORIZON_DAYS = 8;

/** Minutes after midnight of "HH:MM"; `key` names the setting in the error. */
export function parseClock(hhmm: string, key = "QUIET_HOURS"): number {
  const m = /^([01]\d|2[0-4]):([0-5]\d)$/.exec(hhmm);
  const minutes = m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
  if (!m || minutes > 24 * 60) {
    throw new Error(`${key}: "${hhmm}" is not a 24-hour time "HH:MM" (e.g. 08:00 or 21:00)`);
  }
  return minutes;
}

/** Checks a window once, so a bad `QUIET_HOURS` fails at start-up rather than at a send. */
export function validateDailyWindow(window: DailyWindow, key = "QUIET_HOURS"): void {
  const start = parseClock(window.allowedStart, key);
  const end = parseClock(window.allowedEnd, key);
  if (end <= start) {
    throw new Error(
      `${key}: the window ${window.allowedStart}-${window.allowedEnd} must end after it starts ` +
        "on the same day (e.g. 08:00-21:00)",
    );
  }
}

type Interval = readonly [number, number];

/** The local [start, end) minutes allowed on a weekday: the stack's window ∩ the state's. */
function minutesAllowed(
  weekday: Weekday,
  window: DailyWindow,
  state: StateQuietHours | undefined,
): Interval | undefined {
  let start = parseClock(window.allowedStart);
  let end = parseClock(window.allowedEnd);
  const row = state?.windows.find((w) => w.days.includes(weekday));
  if (row) {
    start = Math.max(start, parseClock(row.start));
    end = Math.min(end, parseClock(row.end));
  }
  return end > start ? [start, end] : undefined;
}

/** The instants (ms) allowed in one zone over the local days around `fromMs`. */
function allowedIntervals(
  zone: string,
  fromMs: number,
  window: DailyWindow,
  state: StateQuietHours | undefined,
): Interval[] {
  const firstLocalDay = Math.floor(wallClockMs(zone, fromMs) / DAY_MS) * DAY_MS - DAY_MS;
  const out: Interval[] = [];
  for (let day = 0; day <= HORIZON_DAYS + 1; day++) {
    const midnight = firstLocalDay + day * DAY_MS;
    const interval = allowedOnLocalDay(zone, midnight, window, state);
    if (interval) out.push(interval);
  }
  return out;
}

/**
 * A batch of sends asks about the same few zones and days again and again; each answer costs
 * several ICU calls, and never changes (zone rules change only with a new ICU, i.e. a deploy).
 */
const dayCache = new Map<string, Interval | null>();
const DAY_CACHE_LIMIT = 20_000;

function allowedOnLocalDay(
  zone: string,
  midnight: number,
  window: DailyWindow,
  state: StateQuietHours | undefined,
): Interval | undefined {
  const key = `${zone}|${midnight}|${window.allowedStart}-${window.allowedEnd}|${state?.state ?? ""}`;
  const cached = dayCache.get(key);
  if (cached !== undefined) return cached ?? undefined;
  const minutes = minutesAllowed(new Date(midnight).getUTCDay() as Weekday, window, state);
  const interval: Interval | null = minutes
    ? [
        instantOfWallClock(zone, midnight + minutes[0] * MINUTE_MS),
        instantOfWallClock(zone, midnight + minutes[1] * MINUTE_MS),
      ]
    : null;
  if (dayCache.size >= DAY_CACHE_LIMIT) dayCache.clear();
  dayCache.set(key, interval);
  return interval ?? undefined;
}

function intersect(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const start = Math.max(a[i]![0], b[j]![0]);
    const end = Math.min(a[i]![1], b[j]![1]);
    if (end > start) out.push([start, end]);
    if (a[i]![1] < b[j]![1]) i++;
    else j++;
  }
  return out;
}

/**
 * The first instant at or after `from` inside the window in every zone: `from` itself when the
 * window is open then. Throws `QuietHoursNeverOpenError` when no such instant comes within the
 * horizon, and `InvalidTimeZoneError` for a zone ICU does not know.
 */
export function nextAllowedInstant(
  from: Date,
  zones: readonly [string, ...string[]],
  window: DailyWindow,
  state?: StateQuietHours,
): Date {
  const fromMs = from.getTime();
  const [first, ...rest] = zones;
  let allowed = allowedIntervals(first, fromMs, window, state);
  for (const zone of rest)
    allowed = intersect(allowed, allowedIntervals(zone, fromMs, window, state));
  const next = allowed.find(([, end]) => end > fromMs);
  if (!next) throw new QuietHoursNeverOpenError(zones);
  return new Date(Math.max(next[0], fromMs));
}
