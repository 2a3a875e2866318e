/** The per-patient cap over a rolling window. */
export interface FrequencyCap {
  maxSends: number;
  windowSeconds: number;
}

/**
 * Whether one more send now would pass the cap, counting the earlier sends in the window that
 * ends now (a time from a clock ahead of ours counts too). At the cap, `clearsAt` is when enough
 * of them have left the window for one more: the oldest one's time plus the window when the
 * count is exactly at the cap, a later one's when it is above (a lowered cap).
 */
export function checkFrequencyCap(
  now: Date,
  recentSendTimes: readonly Date[],
  cap: FrequencyCap,
): { reached: false } | { reached: true; clearsAt: Date } {
  const windowMs = cap.windowSeconds * 1000;
  const counted = recentSendTimes
    .map((t) => t.getTime())
    .filter((t) => t > now.getTime() - windowMs)
    .sort((a, b) => a - b);
  if (counted.length < cap.maxSends) return { reached: false };
  return { reached: true, clearsAt: new Date(counted[counted.length - cap.maxSends]! + windowMs) };
}
