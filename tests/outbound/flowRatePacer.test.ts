import { RatePacer } from "../../runtime/src/outbound/ratePacer";

/** The store's conditional counter, as both stores implement `takeRateBudget`. */
class CountingStore {
  readonly windows = new Map<number, number>();
  async takeRateBudget(
    _identity: string,
    windowStartMs: number,
    parts: number,
    limit: number,
  ): Promise<boolean> {
    const used = this.windows.get(windowStartMs) ?? 0;
    if (used + parts > limit) return false;
    this.windows.set(windowStartMs, used + parts);
    return true;
  }
}

describe("the shared rate pacer", () => {
  it("never lets two tasks together exceed the parts per second of a window", async () => {
    const store = new CountingStore();
    let clock = 1_000_000;
    const sleep = async (ms: number) => {
      clock += ms;
    };
    const tasks = [0, 1, 2].map(
      () =>
        new RatePacer({
          store,
          identity: "+18445550100",
          partsPerSecond: 3,
          now: () => clock,
          sleep,
        }),
    );
    let sent = 0;
    for (let i = 0; i < 30; i += 1) {
      if (await tasks[i % 3]!.take(1, { wait: false })) sent += 1;
    }
    // One window, three tasks: three parts in total, the rest refused at once.
    expect(sent).toBe(3);
    for (let i = 0; i < 12; i += 1) await tasks[i % 3]!.take(1, { wait: true });
    expect(Math.max(...store.windows.values())).toBeLessThanOrEqual(3);
    expect([...store.windows.values()].reduce((a, b) => a + b, 0)).toBe(15);
  });

  it("waits into the next window rather than failing when asked to wait", async () => {
    const store = new CountingStore();
    let clock = 5_500;
    const sleeps: number[] = [];
    const pacer = new RatePacer({
      store,
      identity: "id",
      partsPerSecond: 1,
      now: () => clock,
      sleep: async (ms) => {
        sleeps.push(ms);
        clock += ms;
      },
    });
    expect(await pacer.take(1, { wait: true })).toBe(true);
    expect(await pacer.take(1, { wait: true })).toBe(true);
    expect(sleeps).toEqual([505]);
    expect([...store.windows.keys()]).toEqual([5000, 6000]);
  });

  it("gives a number slower than one part a second windows of whole seconds", async () => {
    const store = new CountingStore();
    const clock = 10_000;
    const pacer = new RatePacer({ store, identity: "id", partsPerSecond: 0.5, now: () => clock });
    expect(await pacer.take(1, { wait: false })).toBe(true);
    expect(await pacer.take(1, { wait: false })).toBe(false);
    expect([...store.windows.entries()]).toEqual([[10_000, 1]]);
  });

  it("books a message longer than a window into the following windows", async () => {
    const store = new CountingStore();
    const pacer = new RatePacer({ store, identity: "id", partsPerSecond: 1, now: () => 3_000 });
    expect(await pacer.take(3, { wait: false })).toBe(true);
    expect([...store.windows.entries()]).toEqual([
      [3000, 1],
      [4000, 1],
      [5000, 1],
    ]);
  });
});
