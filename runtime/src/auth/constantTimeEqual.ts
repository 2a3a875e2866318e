import { createHash, timingSafeEqual } from "node:crypto";

/**
 * Compares a presented secret with the expected one in time that does not depend on where they
 * differ or on the presented length: both sides are hashed to equal-length digests first, because
 * `timingSafeEqual` itself throws (and so leaks) on a length mismatch.
 */
export function constantTimeEqual(presented: string, expected: string): boolean {
  const a = createHash("sha256").update(presented, "utf8").digest();
  const b = createHash("sha256").update(expected, "utf8").digest();
  return timingSafeEqual(a, b) && presented.length === expected.length;
}
