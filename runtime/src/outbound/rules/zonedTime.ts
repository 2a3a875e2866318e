/**
 * Wall-clock arithmetic in IANA zones with the platform's ICU (`Intl.DateTimeFormat`), so the
 * rules follow every zone's daylight-saving changes without a date library.
 */

/** A `timeZone` that ICU does not know; the API answers it with `INVALID_TIME_ZONE` (400). */
export class InvalidTimeZoneError extends Error {
  readonly code = "INVALID_TIME_ZONE";
  constructor(readonly timeZone: string) {
    super(`timeZone must be an IANA time zone such as "America/Chicago"; got "${timeZone}"`);
    this.name = "InvalidTimeZoneError";
  }
}

/**
 * Keyed by the zone as the caller spelled it, and ICU takes any letter case ("america/chicago"):
 * an agent's `timeZone` values could otherwise grow this map without end, each entry holding ICU
 * memory outside the V8 heap. A deployment uses a handful of zones; past the limit, start over.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();
const FORMATTER_LIMIT = 1_000;

/** Formatters held now (for the test that the cache stays bounded). */
export function cachedFormatterCount(): number {
  return formatters.size;
}

function formatterFor(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat("en-US", {
        timeZone: zone,
        hourCycle: "h23",
        year: "numeric",
        month: "numeric",
        day: "numeric",
        hour: "numeric",
        minute: "numeric",
        second: "numeric",
      });
    } catch {
      throw new InvalidTimeZoneError(zone);
    }
    if (formatters.size >= FORMATTER_LIMIT) formatters.clear();
    formatters.set(zone, f);
  }
  return f;
}

/** Throws `InvalidTimeZoneError` unless ICU knows `zone`; returns it unchanged. */
export function assertTimeZone(zone: string): string {
  formatterFor(zone);
  return zone;
}

/** The wall clock in `zone` at `instantMs`, as if it were a UTC time (ms, seconds truncated). */
export function wallClockMs(zone: string, instantMs: number): number {
  const parts: Record<string, number> = {};
  for (const p of formatterFor(zone).formatToParts(new Date(instantMs))) {
    if (p.type !== "literal") parts[p.type] = Number(p.value);
  }
  return Date.UTC(
    parts.year!,
    parts.month! - 1,
    parts.day!,
    parts.hour! % 24,
    parts.minute!,
    parts.second!,
  );
}

function offsetMs(zone: string, instantMs: number): number {
  const whole = Math.floor(instantMs / 1000) * 1000;
  return wallClockMs(zone, whole) - whole;
}

const DAY_MS = 86_400_000;

/**
 * The first instant at which the wall clock in `zone` reads `wallMs` or later: the instant itself
 * when that wall time exists once, the earlier of two when the clock falls back over it, and the
 * moment the clock springs forward when it skips it.
 */
export function instantOfWallClock(zone: string, wallMs: number): number {
  const before = offsetMs(zone, wallMs - DAY_MS);
  const after = offsetMs(zone, wallMs + DAY_MS);
  const exact = [wallMs - before, wallMs - after].filter((t) => wallClockMs(zone, t) === wallMs);
  if (exact.length > 0) return Math.min(...exact);
  // In a spring-forward gap: search the change between the two offsets, to the second.
  let lo = wallMs - after;
  let hi = wallMs - before;
  while (hi - lo > 1000) {
    const mid = Math.floor((lo + hi) / 2000) * 1000;
    if (wallClockMs(zone, mid) >= wallMs) hi = mid;
    else lo = mid;
  }
  return hi;
}
