import * as crypto from "node:crypto";
import { constantTimeEqual, ExpectedSecret } from "../../../runtime/src/auth/constantTimeEqual";
import { comparableSecret, RotatingSecret } from "../../../runtime/src/auth/rotatingSecret";

jest.mock("node:crypto", () => {
  const actual = jest.requireActual<typeof import("node:crypto")>("node:crypto");
  return {
    ...actual,
    timingSafeEqual: jest.fn(actual.timingSafeEqual),
    hash: jest.fn(actual.hash),
  };
});

const EXPECTED = "agent-token-0123456789abcdef";

describe("constantTimeEqual (agent token and EventBridge key comparison)", () => {
  beforeEach(() => jest.mocked(crypto.timingSafeEqual).mockClear());

  it("accepts only the exact secret", () => {
    expect(constantTimeEqual(EXPECTED, EXPECTED)).toBe(true);
    expect(constantTimeEqual(`${EXPECTED}x`, EXPECTED)).toBe(false);
    expect(constantTimeEqual(EXPECTED.slice(0, -1), EXPECTED)).toBe(false);
    expect(constantTimeEqual(EXPECTED.toUpperCase(), EXPECTED)).toBe(false);
  });

  it.each([0, 1, EXPECTED.length - 1, EXPECTED.length, EXPECTED.length + 1, 10_000])(
    "compares a %i-character guess in full: equal-length digests, no early exit or throw on length",
    (length) => {
      const guess = "a".repeat(length);
      expect(constantTimeEqual(guess, EXPECTED)).toBe(false);
      // Every guess reaches one timing-safe comparison of two 32-byte digests, whatever its
      // length: nothing returns before it, so the answer's timing does not depend on the length
      // or on where the guess differs.
      const calls = jest.mocked(crypto.timingSafeEqual).mock.calls;
      expect(calls).toHaveLength(1);
      const [a, b] = calls[0] as [Buffer, Buffer];
      expect([a.length, b.length]).toEqual([32, 32]);
    },
  );

  it("treats a non-ASCII guess of the same UTF-16 length as different", () => {
    expect(constantTimeEqual("é".repeat(EXPECTED.length), EXPECTED)).toBe(false);
  });
});

describe("ExpectedSecret (a secret compared on every request)", () => {
  beforeEach(() => {
    jest.mocked(crypto.timingSafeEqual).mockClear();
    jest.mocked(crypto.hash).mockClear();
  });

  it("hashes the expected value once and each presented value once", () => {
    const secret = new ExpectedSecret(EXPECTED);
    expect(crypto.hash).toHaveBeenCalledTimes(1);
    expect(secret.matches(EXPECTED)).toBe(true);
    expect(secret.matches(`${EXPECTED}x`)).toBe(false);
    expect(secret.matches("")).toBe(false);
    expect(secret.matches("é".repeat(EXPECTED.length))).toBe(false);
    expect(crypto.hash).toHaveBeenCalledTimes(5);
    // Still one timing-safe comparison of two digests per presented value.
    expect(crypto.timingSafeEqual).toHaveBeenCalledTimes(4);
  });

  it("comparableSecret hashes a fixed value once; a rotating secret is used as it is", () => {
    const fixed = comparableSecret(EXPECTED);
    expect(fixed).toBeInstanceOf(ExpectedSecret);
    const rotating = new RotatingSecret({
      initial: EXPECTED,
      stages: { get: async () => undefined },
      overlapMs: 1000,
      refreshMs: 60_000,
    });
    expect(comparableSecret(rotating)).toBe(rotating);
  });

  it("a rotating secret hashes the presented value once for both stages", async () => {
    const now = Date.now();
    const rotating = new RotatingSecret({
      initial: "old-value-0123456789",
      stages: {
        get: async (stage) =>
          stage === "AWSCURRENT"
            ? { value: "new-value-0123456789", createdAt: new Date(now) }
            : { value: "old-value-0123456789", createdAt: new Date(now - 1000) },
      },
      overlapMs: 60_000,
      refreshMs: 60_000,
      now: () => now,
    });
    await rotating.refresh();
    jest.mocked(crypto.hash).mockClear();
    jest.mocked(crypto.timingSafeEqual).mockClear();
    expect(rotating.matches("new-value-0123456789")).toBe(true);
    expect(rotating.matches("old-value-0123456789")).toBe(true);
    expect(rotating.matches("other-value-012345678")).toBe(false);
    expect(crypto.hash).toHaveBeenCalledTimes(3);
    // Both stages are compared for every value, so the time does not say which one matched.
    expect(crypto.timingSafeEqual).toHaveBeenCalledTimes(6);
  });
});
