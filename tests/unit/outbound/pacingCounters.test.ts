import { PacingCounters } from "../../../runtime/src/outbound/pacingCounters";
import { RatePacer } from "../../../runtime/src/outbound/ratePacer";
import { WindowTotals } from "./windowTotals";

function pacer(start: number, partsPerSecond = 50) {
  const store = new WindowTotals();
  const clock = { now: start };
  const counters = new PacingCounters();
  const rate = new RatePacer({
    store,
    identity: "+18445550100",
    partsPerSecond,
    now: () => clock.now,
    sleep: async (ms) => {
      clock.now += ms;
    },
    counters,
  });
  return { rate, store, clock, counters };
}

describe("the pacer's counters (where the number's slots go)", () => {
  it("counts the positions a take skips when the counter lags the clock", async () => {
    const { rate, clock, counters } = pacer(1_000_000);
    await rate.reserve(1);
    await rate.reserve(1);
    expect(counters).toMatchObject({ takes: 2, raisedToLookahead: 0, positionsSkipped: 0 });
    // Half a window later nobody took positions 2..23: their slots passed unused.
    clock.now += 500;
    const slot = await rate.reserve(1);
    expect(slot).toBe(1_000_000 + 24 * (1000 / 48));
    expect(counters).toMatchObject({ takes: 3, raisedToLookahead: 1, positionsSkipped: 22 });
  });

  it("counts a full window, and a snapshot answers the figures and starts again", async () => {
    const { rate, counters } = pacer(2_000_000);
    for (let i = 0; i < 48; i += 1) await rate.reserve(1);
    expect(counters.windowFull).toBe(0);
    // The 49th finds this window full and books the next one.
    expect(await rate.reserve(1)).toBe(2_001_000);
    expect(counters.windowFull).toBe(1);
    counters.callAt(-3);
    counters.callAt(7);
    expect(counters.snapshot()).toMatchObject({
      takes: 49,
      windowFull: 1,
      calls: 2,
      callLateMsSum: 7,
      callLateMsMax: 7,
    });
    expect(counters.snapshot()).toMatchObject({ takes: 0, windowFull: 0, calls: 0 });
  });

  it("counts the empty positions booked beside multi-part messages", async () => {
    // m = 5: a 2-part message books one empty position, a 3-part one two; one part none.
    const { rate, counters } = pacer(3_000_000, 5);
    await rate.reserve(1);
    await rate.reserve(2);
    await rate.reserve(3);
    expect(counters).toMatchObject({ takes: 3, emptyPositions: 3 });
    expect(counters.snapshot()).toMatchObject({ emptyPositions: 3 });
  });
});
