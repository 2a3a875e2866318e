import { isValidPhoneNumber } from "libphonenumber-js/max";

const E164 = /^\+[1-9]\d{1,14}$/;

/**
 * True for a number written in E.164 (`+` and up to 15 digits, no spaces) that libphonenumber's
 * full metadata also considers a valid number for its country. Sending to anything else costs
 * money and fails at the carrier.
 */
export function isE164PhoneNumber(value: string): boolean {
  return E164.test(value) && isValidPhoneNumber(value);
}
