/**
 * How many SMS parts a body costs. Billing and the MPS limit are per part
 * (https://docs.aws.amazon.com/sms-voice/latest/userguide/sms-limitations-character.html):
 * GSM 03.38 gives 160 septets in one part or 153 per part when split; any other character makes
 * the whole message UCS-2, 70 code units in one part or 67 per part. Characters are never split
 * across parts (an extension-table character or a surrogate pair stays whole), as handsets do.
 */

export type SmsEncoding = "GSM" | "UCS2";

export interface SegmentCount {
  encoding: SmsEncoding;
  parts: number;
  /** septets for GSM, UTF-16 code units for UCS-2 */
  units: number;
}

const GSM_BASIC =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
  "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const GSM_EXTENSION = "^{}\\[~]|€\f";

const basic = new Set(GSM_BASIC);
const extension = new Set(GSM_EXTENSION);

const LIMITS: Record<SmsEncoding, { single: number; multi: number }> = {
  GSM: { single: 160, multi: 153 },
  UCS2: { single: 70, multi: 67 },
};

export function countSegments(body: string): SegmentCount {
  const chars = Array.from(body);
  const isGsm = chars.every((c) => basic.has(c) || extension.has(c));
  const encoding: SmsEncoding = isGsm ? "GSM" : "UCS2";
  const width = (c: string): number => (isGsm ? (extension.has(c) ? 2 : 1) : c.length);
  const units = chars.reduce((sum, c) => sum + width(c), 0);
  const limit = LIMITS[encoding];
  if (units <= limit.single) return { encoding, parts: 1, units };
  let parts = 1;
  let used = 0;
  for (const c of chars) {
    const w = width(c);
    if (used + w > limit.multi) {
      parts += 1;
      used = 0;
    }
    used += w;
  }
  return { encoding, parts, units };
}
