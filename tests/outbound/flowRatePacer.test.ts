import { pacingFor, RatePacer } from "../../runtime/src/outbound/ratePacer";
import { SqliteConversationStore } from "../../runtime/src/store/sqliteStore";

/**
 * The pacer over the real SQLite store, several tasks sharing it: the positions the store hands
 * out are the slots the sends go at, so what End User Messaging sees follows from them.
 */
describe("the shared rate pacer over the store", () => {
  let store: SqliteConversationStore;
  beforeEach(() => {
    store = new SqliteConversationStore(":memory:");
  });
  afterEach(async () => {
    await store.close();
  });

  function tasks(partsPerSecond: number, clock: { now: number }, count = 3): RatePacer[] {
    return Array.from(
      { length: count },
      () =>
        new RatePacer({
          store,
          identity: "+18445550100",
          partsPerSecond,
          now: () => clock.now,
          sleep: async (ms) => {
            clock.now += ms;
          },
        }),
    );
  }

  it("gives three tasks taking at once distinct, evenly spaced slots, never two alike", async () => {
    const clock = { now: 1_000_000 };
    const pacers = tasks(50, clock);
    const slots = await Promise.all(
      Array.from({ length: 96 }, (_, i) => pacers[i % 3]!.reserve(1)),
    );
    const sorted = (slots as number[]).sort((a, b) => a - b);
    const { slotMs } = pacingFor(50);
    expect(sorted).toEqual(Array.from({ length: 96 }, (_, k) => 1_000_000 + k * slotMs));
    // 96 positions: this window's 48 and the next one's 48, so no sliding second holds 50.
    for (let k = 0; k + 50 < sorted.length; k += 1) {
      expect(sorted[k + 50]! - sorted[k]!).toBeGreaterThan(1000);
    }
  });

  it("hands the agent API's send to the queue when no slot is free in time, booking nothing", async () => {
    const clock = { now: 2_000_000 }; // a window start (5 s windows from the epoch)
    const [a, b] = tasks(5, clock, 2);
    // m = 5: windows of 5 s holding 24 parts, 208.3 ms apart; 1.1 s holds six slots.
    const slot = (k: number) => 2_000_000 + (k * 5000) / 24;
    const inline = [];
    for (let i = 0; i < 7; i += 1) inline.push(await a!.reserve(1, { maxWaitMs: 1100 }));
    expect(inline).toEqual([...[0, 1, 2, 3, 4, 5].map(slot), undefined]);
    // The refused one booked nothing: the next waiting send takes the position after them.
    expect(await b!.reserve(1)).toBe(slot(6));
  });

  it("waits into later windows rather than failing when asked to wait", async () => {
    const clock = { now: 5_500 };
    const [pacer] = tasks(50, clock, 1);
    // Positions 24..47 of this window are left, then 48 in the next: the 73rd waits.
    for (let i = 0; i < 72; i += 1) await pacer!.reserve(1);
    await expect(pacer!.take(1)).resolves.toBe(true);
    expect(clock.now).toBe(7_000);
  });
});
