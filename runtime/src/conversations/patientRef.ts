import { createHmac } from "node:crypto";

/**
 * A stable, keyed pseudonym for a patient's phone number: what the store keys on and what logs and
 * audit events may name. Without the key it cannot be reversed by hashing every possible number,
 * which a plain hash of a 10-digit number could be.
 */
export type PatientRefFn = (phoneNumber: string) => string;

export function patientRefFunction(key: string): PatientRefFn {
  return (phoneNumber) =>
    createHmac("sha256", key).update(normalise(phoneNumber), "utf8").digest("base64url");
}

// Inbound numbers arrive as "+14255550182"; agents send the same in E.164. Strip formatting so
// both sides of a conversation map to one reference.
function normalise(phoneNumber: string): string {
  const digits = phoneNumber.replace(/[^\d]/g, "");
  return `+${digits}`;
}
