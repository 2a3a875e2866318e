import { achievedPartsPerSecond, type PeerAttempt } from "../../support/peerLedger";

const call = (at: number, parts = 1, accepted = true): PeerAttempt => ({
  key: `k${at}`,
  at,
  parts,
  accepted,
});

/** `n` calls of `parts` each, `gapMs` apart, from `start`. */
const spaced = (n: number, gapMs: number, parts = 1, start = 1_000_000): PeerAttempt[] =>
  Array.from({ length: n }, (_, i) => call(start + i * gapMs, parts));

describe("achievedPartsPerSecond (the benchmark's rate)", () => {
  it("reads calls evenly spaced at 1/m as m, however many there are", () => {
    expect(achievedPartsPerSecond(spaced(50, 20))).toBeCloseTo(50, 9);
    expect(achievedPartsPerSecond(spaced(1000, 20))).toBeCloseTo(50, 9);
    expect(achievedPartsPerSecond(spaced(3000, 20))).toBeCloseTo(50, 9);
    expect(achievedPartsPerSecond(spaced(60, 1000 / 3))).toBeCloseTo(3, 9);
  });

  it("counts the parts of multi-part calls", () => {
    // Two parts every 40 ms: 50 parts/s.
    expect(achievedPartsPerSecond(spaced(100, 40, 2))).toBeCloseTo(50, 9);
  });

  it("leaves out throttled calls and takes the calls in time order", () => {
    const calls = [...spaced(50, 20), call(1_000_010, 1, false), call(999_000, 1, false)];
    expect(achievedPartsPerSecond(calls.reverse())).toBeCloseTo(50, 9);
  });

  it("answers 0 with no accepted call and the parts for calls in one instant", () => {
    expect(achievedPartsPerSecond([])).toBe(0);
    expect(achievedPartsPerSecond([call(5, 1, false)])).toBe(0);
    expect(achievedPartsPerSecond([call(5), call(5, 2)])).toBe(3);
  });
});
