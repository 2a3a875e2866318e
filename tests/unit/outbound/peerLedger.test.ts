import { pacingFor } from "../../../runtime/src/outbound/ratePacer";
import {
  achievedPartsPerSecond,
  firstInstantMsFor,
  type PeerAttempt,
} from "../../support/peerLedger";

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

  it("leaves out every call of the first instant for a pacer sending in bursts", () => {
    // Three calls, 2 ms apart, at the start of windows 1,040 ms apart: 3 parts in 1.04 s.
    const bursts = Array.from({ length: 30 }, (_, w) =>
      [0, 2, 4].map((d) => call(1_000_000 + w * 1040 + d)),
    ).flat();
    const firstInstantMs = firstInstantMsFor(pacingFor(3));
    expect([firstInstantMs, firstInstantMsFor(pacingFor(50))]).toEqual([520, 0]);
    const rate = achievedPartsPerSecond(bursts, firstInstantMs);
    expect(rate).toBeCloseTo(87 / ((29 * 1040 + 4) / 1000), 9);
    expect(rate / 3).toBeLessThan(1000 / 1040);
    // Counting only the first call left out reads above the pacer's own rate.
    expect(achievedPartsPerSecond(bursts) / 3).toBeGreaterThan(1000 / 1040);
  });

  it("answers 0 with no accepted call and the parts for calls in one instant", () => {
    expect(achievedPartsPerSecond([])).toBe(0);
    expect(achievedPartsPerSecond([call(5, 1, false)])).toBe(0);
    expect(achievedPartsPerSecond([call(5), call(5, 2)])).toBe(3);
  });
});
