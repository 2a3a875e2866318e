import { NANP_AREA_CODES } from "./nanpAreaCodeData";

/** Where a North American number's area code is: its state or province, and its zones. */
export interface AreaCodeLocation {
  areaCode: string;
  /** Two-letter state/province; undefined for codes outside one (Caribbean countries...). */
  region: string | undefined;
  /** Every IANA zone the code's exchanges lie in (one for most codes). */
  zones: readonly [string, ...string[]];
}

/**
 * The location of an E.164 number's NANP area code, or undefined when the number is not NANP
 * (+1 followed by ten digits) or the code is not in the table (unassigned, non-geographic).
 */
export function locateAreaCode(e164: string): AreaCodeLocation | undefined {
  const m = /^\+1([2-9]\d{2})[2-9]\d{6}$/.exec(e164);
  if (!m) return undefined;
  const row = NANP_AREA_CODES[m[1]!];
  if (!row) return undefined;
  const [region, ...zones] = row;
  return {
    areaCode: m[1]!,
    region: region === "" ? undefined : region,
    zones: zones as [string, ...string[]],
  };
}
