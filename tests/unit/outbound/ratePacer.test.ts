import {
  JITTER_MARGIN_MS,
  LATE_MS,
  MAX_WINDOW_S,
  pacingFor,
  positionsFor,
  RatePacer,
} from "../../../runtime/src/outbound/ratePacer";
import { WindowTotals } from "./windowTotals";

function pacerAt(partsPerSecond: number, start: number) {
  const store = new WindowTotals();
  const clock = { now: start };
  const sleeps: number[] = [];
  const pacer = new RatePacer({
    store,
    identity: "+18445550100",
    partsPerSecond,
    now: () => clock.now,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock.now += ms;
    },
  });
  return { pacer, store, clock, sleeps };
}

/** The most parts in any sliding span (`[t, t + spanMs)`); a second is what End User Messaging counts. */
function maxInSliding(calls: { at: number; parts: number }[], spanMs = 1000): number {
  const sorted = [...calls].sort((a, b) => a.at - b.at);
  let max = 0;
  for (let i = 0; i < sorted.length; i += 1) {
    let sum = 0;
    for (let j = i; j < sorted.length && sorted[j]!.at < sorted[i]!.at + spanMs; j += 1) {
      sum += sorted[j]!.parts;
    }
    max = Math.max(max, sum);
  }
  return max;
}

describe("pacingFor", () => {
  it("spaces the positions so that a call and the one m later are a second and the margin apart", () => {
    expect(pacingFor(50)).toEqual({ windowMs: 1000, partsPerWindow: 48, slotMs: 1000 / 48 });
    expect(pacingFor(20)).toEqual({ windowMs: 5000, partsPerWindow: 96, slotMs: 5000 / 96 });
    expect(pacingFor(4)).toEqual({ windowMs: 6000, partsPerWindow: 23, slotMs: 6000 / 23 });
    expect(pacingFor(2.5)).toEqual({ windowMs: 5000, partsPerWindow: 12, slotMs: 5000 / 12 });
    expect(pacingFor(0.5)).toEqual({ windowMs: 19_000, partsPerWindow: 9, slotMs: 19_000 / 9 });
    for (const m of [0.5, 2.5, 4, 5, 10, 20, 30, 50, 100, 250]) {
      const { windowMs, partsPerWindow, slotMs } = pacingFor(m);
      expect(m * slotMs).toBeGreaterThanOrEqual(1000 + JITTER_MARGIN_MS);
      expect(partsPerWindow / (windowMs / 1000) / m).toBeGreaterThanOrEqual(0.94);
      expect(windowMs).toBeLessThanOrEqual(MAX_WINDOW_S * 1000);
    }
  });

  it("paces 1, 2 and 3 parts per second in bursts: m parts at the start of windows a second and the margin apart", () => {
    for (const m of [1, 2, 3]) {
      expect(pacingFor(m)).toEqual({
        windowMs: 1000 + JITTER_MARGIN_MS,
        partsPerWindow: m,
        slotMs: 0,
      });
    }
  });

  it("refuses a rate that is not a positive number", () => {
    for (const m of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => pacingFor(m)).toThrow(/partsPerSecond/);
    }
  });
});

describe("positionsFor", () => {
  it("books empty positions beside a multi-part message only where the margin cannot spare LATE_MS on either side", () => {
    const booked = (m: number, parts: number) => positionsFor(parts, pacingFor(m), m);
    // m = 20: two parts leave 16 ms of the 42 ms margin (none empty); three would leave none.
    expect([1, 2, 3, 4].map((q) => booked(20, q))).toEqual([1, 2, 4, 6]);
    // m = 50: up to three parts fit the margin (21 ms a position, 42 ms of margin).
    expect([1, 2, 3, 4].map((q) => booked(50, q))).toEqual([1, 2, 3, 5]);
    // m <= 10: half a position is more than the margin; every extra part takes an empty one.
    expect([1, 2, 3].map((q) => booked(10, q))).toEqual([1, 3, 5]);
    expect([1, 2, 3].map((q) => booked(5, q))).toEqual([1, 3, 5]);
    // A burst window's calls go at one moment: no margin is spent, no position left empty.
    expect([1, 2, 3].map((q) => booked(3, q))).toEqual([1, 2, 3]);
    // Never more than a window: the rest of a longer message is booked in the next windows.
    expect(booked(0.5, 25)).toBe(9);
    expect(booked(1, 2)).toBe(1);
  });
});

describe("RatePacer", () => {
  it("gives consecutive sends consecutive slots of the window", async () => {
    const { pacer, store } = pacerAt(50, 10_000);
    const slots = [];
    for (let i = 0; i < 4; i += 1) slots.push(await pacer.reserve(1));
    expect(slots).toEqual([0, 1, 2, 3].map((k) => 10_000 + (k * 1000) / 48));
    expect([...store.totals]).toEqual([[10_000, 4]]);
  });

  it("sends a multi-part message at its middle position and moves its successor by its parts", async () => {
    const { pacer } = pacerAt(50, 10_000);
    const slot = 1000 / 48;
    expect(await pacer.reserve(1)).toBe(10_000);
    expect(await pacer.reserve(2)).toBe(10_000 + 1.5 * slot);
    expect(await pacer.reserve(3)).toBe(10_000 + 4 * slot);
    expect(await pacer.reserve(1)).toBe(10_000 + 6 * slot);
  });

  it("never hands out a position whose slot has passed (no burst after a pause)", async () => {
    const { pacer, clock } = pacerAt(50, 10_000);
    expect(await pacer.reserve(1)).toBe(10_000);
    clock.now = 10_510; // 24.48 slots into the window
    expect(await pacer.reserve(1)).toBe(10_000 + (25 * 1000) / 48);
    expect(await pacer.reserve(1)).toBe(10_000 + (26 * 1000) / 48);
  });

  it("books the next window at once when this one is full, without sleeping", async () => {
    const { pacer, sleeps } = pacerAt(50, 10_000);
    for (let i = 0; i < 48; i += 1) await pacer.reserve(1);
    expect(await pacer.reserve(1)).toBe(11_000);
    expect(sleeps).toEqual([]);
  });

  it("waits for a window to begin when this one and the next are full", async () => {
    const { pacer, sleeps, clock } = pacerAt(50, 10_400);
    // Positions 20..47 of this window (the first 20 have passed), then all 48 of the next.
    for (let i = 0; i < 28 + 48; i += 1) await pacer.reserve(1);
    expect(sleeps).toEqual([]);
    expect(await pacer.reserve(1)).toBe(12_000);
    expect(sleeps).toEqual([600]);
    expect(clock.now).toBe(11_000);
  });

  it("answers no slot, booking nothing, when none is free within maxWaitMs", async () => {
    const { pacer, store } = pacerAt(50, 10_000);
    expect(await pacer.reserve(1, { maxWaitMs: 0 })).toBe(10_000);
    expect(await pacer.reserve(1, { maxWaitMs: 0 })).toBeUndefined();
    // 100 ms holds the slots at 20.8, 41.7, 62.5 and 83.3 ms; 104.2 is past it.
    const within = [];
    for (let i = 0; i < 5; i += 1) within.push(await pacer.reserve(1, { maxWaitMs: 100 }));
    expect(within.slice(0, 4).every((s) => s !== undefined && s <= 10_100)).toBe(true);
    expect(within[4]).toBeUndefined();
    expect([...store.totals]).toEqual([[10_000, 5]]);
  });

  it("books a multi-part message only where its middle slot, the one it goes at, meets the deadline", async () => {
    const { pacer, store } = pacerAt(5, 5_000);
    const slot = 5_000 / 24;
    expect(await pacer.reserve(1)).toBe(5_000);
    // Positions 1..3 go at position 2's slot (417 ms): past a deadline of 300 ms, booking nothing.
    expect(await pacer.reserve(2, { maxWaitMs: 300 })).toBeUndefined();
    expect([...store.totals]).toEqual([[5_000, 1]]);
    expect(await pacer.reserve(2, { maxWaitMs: 2 * slot })).toBe(5_000 + 2 * slot);
  });

  it("lets a deadline reach into the next window, and no further", async () => {
    const { pacer, store, clock, sleeps } = pacerAt(50, 10_000);
    for (let i = 0; i < 48; i += 1) await pacer.reserve(1);
    clock.now = 10_990;
    expect(await pacer.reserve(1, { maxWaitMs: 30 })).toBe(11_000);
    expect(await pacer.reserve(1, { maxWaitMs: 30 })).toBeUndefined();
    expect(sleeps).toEqual([]);
    expect(store.totals.get(11_000)).toBe(1);
  });

  it("sleeps until its slot in take()", async () => {
    const { pacer, sleeps, clock } = pacerAt(5, 5_000);
    expect(await pacer.take(1)).toBe(true);
    expect(await pacer.take(1)).toBe(true);
    expect(await pacer.take(1)).toBe(true);
    // m = 5: windows of 5 s holding 24 parts, 208.3 ms apart.
    expect(sleeps.map((ms) => ms.toFixed(3))).toEqual(["208.333", "208.333"]);
    expect(clock.now).toBeCloseTo(5_000 + 10_000 / 24, 6);
  });

  it("sends a burst window's calls together at its start, and books a 2-part message the window after when the next has one place left", async () => {
    // m = 3: windows of 1040 ms holding 3 parts; 5 ms in, this window's start has passed.
    const { pacer, store, sleeps } = pacerAt(3, 8_325);
    expect(await pacer.reserve(1)).toBe(9_360);
    expect(await pacer.reserve(1)).toBe(9_360);
    // One place left: the 2-part message books the window after, at once.
    expect(await pacer.reserve(2)).toBe(10_400);
    // The place it left is the next single part's, with no wait either.
    expect(await pacer.reserve(1)).toBe(9_360);
    expect(sleeps).toEqual([]);
    expect([...store.totals]).toEqual([
      [9_360, 3],
      [10_400, 2],
    ]);
    // A single part looks no further than the next window: it waits for 9,360 to begin, takes the
    // third place beside the 2-part message, and goes with it.
    expect(await pacer.take(1)).toBe(true);
    expect(store.totals.get(10_400)).toBe(3);
    expect(sleeps).toEqual([1_035, 1_040]);
  });

  it("lets a message of several positions look two windows ahead, and no further", async () => {
    const { pacer, sleeps } = pacerAt(3, 8_325);
    expect(await pacer.reserve(2)).toBe(9_360);
    expect(await pacer.reserve(2)).toBe(10_400);
    // One place left in each: the third waits for 9,360 to begin, then books 11,440.
    expect(await pacer.reserve(2)).toBe(11_440);
    expect(sleeps).toEqual([1_035]);
  });

  it("books a new slot in take() when woken past its own, as keep() does", async () => {
    const store = new WindowTotals();
    const clock = { now: 10_000 };
    let oversleep = 30; // the first sleep ends 30 ms late: a busy event loop
    const pacer = new RatePacer({
      store,
      identity: "+18445550100",
      partsPerSecond: 50,
      now: () => clock.now,
      sleep: async (ms) => {
        clock.now += ms + oversleep;
        oversleep = 0;
      },
    });
    const slot = 1000 / 48;
    expect(await pacer.take(1)).toBe(true); // position 0, at once
    expect(await pacer.take(1)).toBe(true); // position 1, woken 30 ms past it: booked again
    // Position 3 (the first whose slot had not passed when it woke), and the call goes at it.
    expect(clock.now).toBeCloseTo(10_000 + 3 * slot, 6);
    expect(store.totals.get(10_000)).toBe(4);
  });

  it("keeps a slot it wakes for in time, and books a new one when held past it", async () => {
    const { pacer, clock, store } = pacerAt(50, 10_000);
    const slot = 1000 / 48;
    expect(await pacer.keep((await pacer.reserve(1))!, 1, { leadMs: 20 })).toBe(10_000);
    const second = (await pacer.reserve(1))!;
    clock.now = second + LATE_MS; // woken just in time
    expect(await pacer.keep(second, 1)).toBe(second);
    const third = (await pacer.reserve(1))!;
    expect(third).toBe(10_000 + 2 * slot);
    clock.now = third + LATE_MS + 1; // held past it (a busy event loop)
    const kept = await pacer.keep(third, 1);
    // A new position, after the ones taken and not before the clock: 3, at 62.5 ms.
    expect(kept).toBe(10_000 + 3 * slot);
    expect(store.totals.get(10_000)).toBe(4);
    // Held past the new slot too: it goes (booking again could go on for ever with a slow store).
    const fourth = (await pacer.reserve(1))!;
    clock.now = fourth + 100;
    const late = pacer.keep(fourth, 1);
    expect(await late).toBeGreaterThan(fourth);
    const booked = store.totals.get(10_000);
    clock.now += 100;
    // With a deadline that nothing free meets: none, and nothing more booked.
    expect(await pacer.keep(clock.now - 50, 1, { maxWaitMs: 0 })).toBeUndefined();
    expect(store.totals.get(10_000)).toBe(booked);
  });

  it("books ahead of a slow store's answer time, and still books when the store is slower than a window", async () => {
    const clock = { now: 10_000 };
    const totals = new WindowTotals();
    let storeMs = 100;
    const store = {
      async takeRateBudget(...args: Parameters<WindowTotals["takeRateBudget"]>) {
        clock.now += storeMs; // the answer comes this much later
        return totals.takeRateBudget(...args);
      },
    };
    const pacer = new RatePacer({
      store,
      identity: "id",
      partsPerSecond: 50,
      now: () => clock.now,
      sleep: async (ms) => {
        clock.now += ms;
      },
    });
    const first = (await pacer.reserve(1))!;
    expect(first).toBeGreaterThanOrEqual(10_000); // no average yet: the clock's position
    // The average is 20 ms now: the next take looks 40 ms ahead of the clock.
    clock.now = 10_500;
    const second = (await pacer.reserve(1))!;
    expect(second).toBeGreaterThanOrEqual(10_540);
    // Answers slower than a window for a while: the take still lands within two windows.
    storeMs = 5000;
    for (let i = 0; i < 5; i += 1) await pacer.reserve(1);
    const before = clock.now;
    const slot = await pacer.reserve(1);
    expect(slot).toBeDefined();
    expect(slot!).toBeLessThan(before + 5000 + 2000);
  });

  it("sends a message with empty positions at the middle of them all", async () => {
    const { pacer, store } = pacerAt(5, 5_000);
    const slot = 5_000 / 24;
    expect(await pacer.reserve(1)).toBe(5_000);
    // Positions 1..3: the two parts and one empty; it goes at the middle one, 2.
    expect(await pacer.reserve(2)).toBe(5_000 + 2 * slot);
    expect(await pacer.reserve(1)).toBe(5_000 + 4 * slot);
    expect([...store.totals]).toEqual([[5_000, 5]]);
  });

  it("books a message longer than a window into the following windows", async () => {
    const { pacer, store } = pacerAt(0.5, 19_000);
    // Its first window's 9 positions; it goes at the middle one.
    expect(await pacer.reserve(25)).toBe(19_000 + 4 * (19_000 / 9));
    expect([...store.totals]).toEqual([
      [19_000, 9],
      [38_000, 9],
      [57_000, 7],
    ]);
  });

  it.each([
    [50, 1, JITTER_MARGIN_MS, 0.94],
    [3, 1, JITTER_MARGIN_MS, 0.94],
    [1, 1, JITTER_MARGIN_MS, 0.94],
    [0.5, 1, JITTER_MARGIN_MS, 0.94],
    // Every fifth message of two parts: the middle slot leaves 31 ms of the margin at m = 50.
    [50, 2, 31, 0.94],
    [20, 2, LATE_MS, 0.94],
    // Multi-part messages that book empty positions too (positionsFor), each call up to LATE_MS
    // late. Without them, every 2-part message at m = 5 or 10 met 6 or 11 parts in a second, and
    // every 3-part one at m = 20 met 21. The empty positions cost rate: 6 parts in 7 positions.
    [5, 2, LATE_MS, 0.82],
    [10, 2, LATE_MS, 0.82],
    // Bursts: a window's calls go together at its start, whatever their sizes, and the rate stays.
    [3, 2, JITTER_MARGIN_MS - 1, 0.95],
    [2, 2, JITTER_MARGIN_MS - 1, 0.95],
    // A 3-part message takes a whole window; the window before it, one single part in this order
    // (0.75 of m, as many as the grid's empty positions left), where a queue's other sends would
    // fill it.
    [3, 3, JITTER_MARGIN_MS - 1, 0.74],
    [20, 3, LATE_MS, 0.82],
    // 8 parts in 9 positions; 0.80 here.
    [50, 4, LATE_MS, 0.78],
  ])(
    "on a backlog of three tasks, holds m = %p parts (%p-part messages among them) in every sliding second with %p ms of jitter, at %p of m or more",
    async (m, longParts, jitterMs, ratio) => {
      const store = new WindowTotals();
      let clock = 1_000_000;
      const tasks = [0, 1, 2].map(
        () => new RatePacer({ store, identity: "id", partsPerSecond: m, now: () => clock }),
      );
      const calls: { slot: number; at: number; parts: number }[] = [];
      const n = Math.ceil(m * 200);
      for (let i = 0; i < n; i += 1) {
        const parts = i % 5 === 4 ? longParts : 1;
        const slot = (await tasks[i % 3]!.reserve(parts))!;
        // Each call reaches End User Messaging up to the jitter late, the worst case alternating.
        calls.push({ slot, at: slot + (i % 2 === 0 ? 0 : jitterMs), parts });
        // A backlog: the next taker comes while this slot is still ahead (three tasks in flight).
        clock = Math.max(clock, slot - 3 * pacingFor(m).slotMs);
      }
      // Below 1 MPS, the span that holds one part: 2 s at 0.5.
      const spanMs = 1000 * Math.max(1, 1 / m);
      expect(maxInSliding(calls, spanMs)).toBeLessThanOrEqual((m * spanMs) / 1000);
      // The rate from the first slot to the last: the parts of every slot but the last (a burst
      // window's calls share one) over the time between them.
      const last = calls.at(-1)!.slot;
      const parts = calls.filter((c) => c.slot < last).reduce((sum, c) => sum + c.parts, 0);
      expect(parts / ((last - calls[0]!.slot) / 1000) / m).toBeGreaterThanOrEqual(ratio);
    },
  );
});
