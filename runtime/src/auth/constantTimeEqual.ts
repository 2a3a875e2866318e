import { hash, timingSafeEqual } from "node:crypto";

/**
 * Compares a presented secret with the expected one in time that does not depend on where they
 * differ or on the presented length: both sides are hashed to equal-length digests first, because
 * `timingSafeEqual` itself throws (and so leaks) on a length mismatch.
 */
export function constantTimeEqual(presented: string, expected: string): boolean {
  return new ExpectedSecret(expected).matches(presented);
}

/**
 * A secret that presented values are compared with many times (the EventBridge API key, the agent
 * token): its digest is computed once, so each request hashes only what it presented.
 */
export class ExpectedSecret {
  private readonly digest: Buffer;
  private readonly length: number;

  constructor(value: string) {
    this.digest = digestOf(value);
    this.length = value.length;
  }

  matches(presented: string): boolean {
    return this.matchesDigest(digestOf(presented), presented.length);
  }

  /** For a caller comparing one presented value with several secrets: it hashes it once. */
  matchesDigest(presentedDigest: Buffer, presentedLength: number): boolean {
    return timingSafeEqual(presentedDigest, this.digest) && presentedLength === this.length;
  }
}

/** SHA-256 of the UTF-8 bytes, in one call (no Hash object per comparison). */
export function digestOf(value: string): Buffer {
  return hash("sha256", value, "buffer");
}
