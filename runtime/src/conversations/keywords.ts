/**
 * Keyword matching for inbound SMS: the whole trimmed body, compared case-insensitively, must BE
 * the keyword. Substring matching (as in AWS's legacy self-managed opt-out sample) opts out a
 * patient who writes "WEEKEND" (END) or "STD" (TD).
 */

/** End User Messaging's required opt-out keywords (keywords-required.html). */
export const OPT_OUT_KEYWORDS: readonly string[] = [
  "ARRET",
  "CANCEL",
  "END",
  "OPT-OUT",
  "OPTOUT",
  "QUIT",
  "REMOVE",
  "STOP",
  "TD",
  "UNSUBSCRIBE",
];
export const OPT_IN_KEYWORDS: readonly string[] = ["START", "UNSTOP"];
export const HELP_KEYWORDS: readonly string[] = ["HELP"];

export type Keyword = "opt_out" | "opt_in" | "help";

export function matchKeyword(body: string): Keyword | undefined {
  const word = body.trim().toUpperCase();
  if (OPT_OUT_KEYWORDS.includes(word)) return "opt_out";
  if (OPT_IN_KEYWORDS.includes(word)) return "opt_in";
  if (HELP_KEYWORDS.includes(word)) return "help";
  return undefined;
}

/** The slot a bare number picks (1-based), or undefined when the body is not one in range. */
export function matchSlot(body: string, slotCount: number): number | undefined {
  const trimmed = body.trim();
  if (!/^\d{1,2}$/.test(trimmed)) return undefined;
  const slot = Number(trimmed);
  return slot >= 1 && slot <= slotCount ? slot : undefined;
}
