import type { FrequencyCap } from "./frequencyCap";
import { type DailyWindow, validateDailyWindow } from "./quietHours";

/**
 * The rules' settings as the environment spells them (docs/outbound-queue.md, "Settings"), parsed
 * once at start-up so a typo stops the service with the key and the fix, not a send at 3 a.m.
 */

/** `QUIET_HOURS`: "HH:MM-HH:MM", recipient-local; unset means 08:00-21:00. */
export function parseQuietHours(value: string | undefined, key = "QUIET_HOURS"): DailyWindow {
  const text = value?.trim() || "08:00-21:00";
  const m = /^(\d{2}:\d{2})-(\d{2}:\d{2})$/.exec(text);
  if (!m) {
    throw new Error(`${key}: "${text}" is not a window "HH:MM-HH:MM" (e.g. 08:00-21:00)`);
  }
  const window = { allowedStart: m[1]!, allowedEnd: m[2]! };
  validateDailyWindow(window, key);
  return window;
}

/** `FREQUENCY_CAP`: "N/<seconds>" (e.g. 3/604800, three a week) or "none"; unset means none. */
export function parseFrequencyCap(
  value: string | undefined,
  key = "FREQUENCY_CAP",
): FrequencyCap | undefined {
  const text = value?.trim() || "none";
  if (text === "none") return undefined;
  const m = /^([1-9]\d{0,5})\/([1-9]\d{0,8})$/.exec(text);
  if (!m) {
    throw new Error(
      `${key}: "${text}" is not "N/<seconds>" with positive whole numbers (e.g. 3/604800) or "none"`,
    );
  }
  return { maxSends: Number(m[1]), windowSeconds: Number(m[2]) };
}
