import * as crypto from "node:crypto";
import { constantTimeEqual } from "../../../runtime/src/auth/constantTimeEqual";

jest.mock("node:crypto", () => {
  const actual = jest.requireActual<typeof import("node:crypto")>("node:crypto");
  return { ...actual, timingSafeEqual: jest.fn(actual.timingSafeEqual) };
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
