import type { OutboundStore } from "../store/outboundStore";
import { pacingCounters, type PacingCounters } from "./pacingCounters";

/** How long a send may wait for the number's rate; without `maxWaitMs`, as long as it takes. */
export interface RateWait {
  maxWaitMs?: number;
}

/** What a send asks of the number's rate: a moment at which its parts may go. */
export interface RateBudget {
  /**
   * Books `parts` of the number's rate (and any empty positions a multi-part message needs beside
   * them, `positionsFor`) and answers the moment (epoch ms) the call may go, never later than
   * `maxWaitMs` from now; undefined (nothing booked) when no such moment is free. It
   * does not wait for that moment: the caller writes what it must first, then `waitUntil`.
   */
  reserve(parts: number, options?: RateWait): Promise<number | undefined>;
  /** Sleeps until a moment `reserve` answered (at once when it has passed). */
  waitUntil(slotMs: number): Promise<void>;
  /**
   * Sleeps until `leadMs` before the slot; woken more than `LATE_MS` after the slot, books a new
   * one (within `maxWaitMs` of now) and sleeps again. Answers the slot kept, or undefined.
   */
  keep(
    slotMs: number,
    parts: number,
    options?: RateWait & { leadMs?: number },
  ): Promise<number | undefined>;
  /** `reserve`, then `keep`: true once the parts may go, false when none was free in time. */
  take(parts: number, options?: RateWait): Promise<boolean>;
}

/**
 * How much of its rate a number is paced at, and why. End User Messaging throttles an identity
 * above m parts in any *sliding* second. A send booked at position p of a window goes at the slot
 * `window + p * slotMs`, so consecutive calls are `slotMs` apart and the call m positions later
 * goes `m * slotMs` later. Pacing at exactly m (`slotMs = 1000 / m`) would put a call and the one
 * m later exactly one second apart, and any delay between a slot and the moment End User Messaging
 * sees the call (the event loop, HTTP, two tasks' clocks) would fit m + 1 calls in a second:
 * every such call throttled, its slot spent. So slots are spaced for
 * `m * slotMs >= 1000 + JITTER_MARGIN_MS`: a call may arrive up to the margin later than the one
 * m before it and still be alone in its second.
 *
 * The margin: 40 ms absorbs the delays seen here (a timer firing late under load, an HTTP call
 * on a shared machine) and costs 1 - 1000/1040 = 3.8% of the rate. Windows hold a whole number
 * of parts, `floor(m * seconds * 1000 / 1040)`: at m = 50 a one-second window holds 48 (0.96 m,
 * 20.8 ms apart, 41.7 ms of margin); at m = 5 one second would hold only 4 (0.8 m), so slow
 * numbers get the shortest window (at most MAX_WINDOW_S) that reaches TARGET_RATIO, else the
 * best: 96 parts in 5 s for m = 20 (0.96 m), 24 in 5 s for m = 5 (0.96 m), 9 in 19 s for
 * m = 0.5 (0.947 m). m = 1, 2 and 3 are paced in bursts instead (below).
 * A message of q parts takes q positions but reaches End User Messaging at once: its first part
 * late for the parts that follow it, its last early for the parts before it. It goes at the slot
 * of its middle position, which spends (q - 1) / 2 positions of the margin on either side. Where
 * that would leave less than `LATE_MS` of it (a call may go that late and still keep its slot), the
 * message books empty positions too, as few as leave `LATE_MS`, and goes at the middle of them all
 * (`positionsFor`): none for two parts at m = 20 (16 ms of the margin left) or up to three at
 * m = 50, one for two parts at m <= 10 (at m = 5, 104 ms a half position: without it every 2-part
 * message among single ones put 6 parts in a second and was throttled, again on each retry), and
 * one for three parts at m = 20. Two multi-part messages at either end of one second spend both
 * halves: two 2-part messages m - 1 positions apart at m = 20 are one whole position (52 ms) short
 * of the margin, so 21 parts reach End User Messaging within 990 ms. The later one is throttled,
 * handed back and sent again at a new slot (never surfaced; `npm run bench` counts these). Empty
 * positions wide enough for that pair would pace the mix of `npm run bench` (one 2-part message in
 * five) at 0.82 m, and only state shared across tasks about where multi-part messages sit in the
 * window could avoid it at no cost, so the rare throttle is the cheaper price.
 *
 * Bursts: a number of 1, 2 or 3 parts per second (US toll-free's 3, 10DLC's and Canadian long
 * codes' default 1) gets windows of `1000 + JITTER_MARGIN_MS` ms holding m parts, and every call
 * of a window goes at its start (`slotMs` 0): two windows' calls are the margin more than a second
 * apart, so no sliding second holds more than one window's m parts, whatever their sizes. A 2-part
 * message needs no empty position there (on the grid above at m = 3, one such message in five
 * cost a seventh of the rate); it takes two of a window's three places, and a later single part
 * fills the third. This takes m sends in flight at each window's start: a task runs four
 * (`SendWorker`), so bursts stop at 3, and faster numbers keep the grid, whose calls go one at a
 * time.
 */
export const JITTER_MARGIN_MS = 40;
/** The fastest number paced in bursts (see `JITTER_MARGIN_MS`): whole parts per second up to it. */
export const BURST_MAX_PARTS_PER_SECOND = 3;
/**
 * The share of the rate a window length is chosen to reach: a little above the 0.95 of issue 13,
 * which a backlog's first and last moments would otherwise pull under (the margin allows 0.962).
 */
const TARGET_RATIO = 0.955;
/** Windows longer than this would leave a worker sleeping past its lease (60 s). */
export const MAX_WINDOW_S = 20;

/**
 * Woken this much after its slot, a call books a new one: held there by a busy event loop or a
 * slow write and sent anyway, it could meet the next second's calls (with the HTTP call's own
 * delay on top, more would spend the 41.7 ms margin at 50 MPS). The slot it leaves goes unused.
 */
export const LATE_MS = 15;

/** The most a take looks ahead of the clock for the store's answer time. */
const MAX_LOOKAHEAD_MS = 500;

export interface Pacing {
  windowMs: number;
  partsPerWindow: number;
  /** The time between consecutive positions of a window; 0 when they all go at its start. */
  slotMs: number;
}

/**
 * The positions a message of `parts` books: its parts, and the empty positions that leave it
 * `LATE_MS` of the margin on either side (see `JITTER_MARGIN_MS`), at most a window's worth.
 */
export function positionsFor(parts: number, pacing: Pacing, partsPerSecond: number): number {
  // A burst window's calls go at one moment: its parts are counted there, with no margin spent.
  if (pacing.slotMs === 0) return Math.min(parts, pacing.partsPerWindow);
  // The margin the spacing leaves a single part: at least JITTER_MARGIN_MS by construction.
  const spareMs = partsPerSecond * pacing.slotMs - 1000;
  // A call at the middle of its n positions is (parts - 1 - empty) / 2 of them early for the
  // parts after it and as late for those before: at most what the margin spares past LATE_MS.
  const sparedPositions = (spareMs - LATE_MS) / pacing.slotMs;
  const empty = Math.max(0, Math.ceil(parts - 1 - 2 * sparedPositions - 1e-9));
  return Math.min(parts + empty, pacing.partsPerWindow);
}

/** The window length and budget for `partsPerSecond` (see `JITTER_MARGIN_MS`). */
export function pacingFor(partsPerSecond: number): Pacing {
  if (!(partsPerSecond > 0) || !Number.isFinite(partsPerSecond)) {
    throw new Error(`partsPerSecond must be a positive number, got ${partsPerSecond}`);
  }
  if (Number.isInteger(partsPerSecond) && partsPerSecond <= BURST_MAX_PARTS_PER_SECOND) {
    return { windowMs: 1000 + JITTER_MARGIN_MS, partsPerWindow: partsPerSecond, slotMs: 0 };
  }
  let best = { seconds: 1, parts: 0, ratio: -1 };
  for (let seconds = 1; seconds <= MAX_WINDOW_S && best.ratio < TARGET_RATIO; seconds += 1) {
    const parts = Math.floor((partsPerSecond * seconds * 1000) / (1000 + JITTER_MARGIN_MS));
    const ratio = parts / (partsPerSecond * seconds);
    // The shortest window that reaches the target: less booked ahead, less lost when a task stops.
    if (parts >= 1 && ratio > best.ratio + 1e-9) best = { seconds, parts, ratio };
  }
  if (best.parts < 1) {
    // Slower than one part per MAX_WINDOW_S seconds (with the margin): one part a window.
    const seconds = Math.ceil((1 + JITTER_MARGIN_MS / 1000) / partsPerSecond);
    return { windowMs: seconds * 1000, partsPerWindow: 1, slotMs: seconds * 1000 };
  }
  const windowMs = best.seconds * 1000;
  return { windowMs, partsPerWindow: best.parts, slotMs: windowMs / best.parts };
}

export interface RatePacerOptions {
  store: Pick<OutboundStore, "takeRateBudget">;
  /** The origination identity whose parts per second are shared by every task. */
  identity: string;
  partsPerSecond: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Where takes are counted (this process's counters unless given). */
  counters?: PacingCounters;
}

/** The first position of `window` whose slot is not before `t` (past the last when none is). */
function firstPositionFrom(pacing: Pacing, window: number, t: number): number {
  if (t <= window) return 0;
  return pacing.slotMs === 0 ? pacing.partsPerWindow : Math.ceil((t - window) / pacing.slotMs);
}

/** The last position of `window` whose slot is not after `t`, for `t` not before the window. */
function lastPositionBy(pacing: Pacing, window: number, t: number): number {
  // A burst window's positions all go at its start.
  return pacing.slotMs === 0 ? pacing.partsPerWindow - 1 : Math.floor((t - window) / pacing.slotMs);
}

const sleepFor = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms).unref());

/**
 * The origination identity's parts per second, shared across tasks through the store: each
 * window is a counter every task adds to under a condition, and the total a take brings it to is
 * the take's position, hence its slot (see `pacingFor`). Positions whose slot has passed are not
 * handed out, so sends resuming after a pause do not all go at once. A caller that must not wait
 * past a deadline asks the store for a position whose slot is before it, so it never books a slot
 * it cannot use.
 *
 * A message with more parts than a window holds takes a whole window and books its remaining
 * parts in the following ones, so the long-run rate stays at the limit whatever the sizes.
 */
export class RatePacer implements RateBudget {
  readonly pacing: Pacing;
  /** How long the store takes to answer a take, lately. */
  private storeMs = 0;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly counters: PacingCounters;
  /** The last total this process saw per window, to count the positions a look-ahead skips. */
  private seen = { window: Number.NaN, total: 0 };

  constructor(private readonly options: RatePacerOptions) {
    this.pacing = pacingFor(options.partsPerSecond);
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? sleepFor;
    this.counters = options.counters ?? pacingCounters;
  }

  async take(parts: number, options: RateWait = {}): Promise<boolean> {
    const slot = await this.reserve(parts, options);
    if (slot === undefined) return false;
    // Kept, not only waited for: a call woken past LATE_MS could meet the next second's calls.
    return (await this.keep(slot, parts, options)) !== undefined;
  }

  async waitUntil(slotMs: number): Promise<void> {
    const wait = slotMs - this.now();
    if (wait > 0) await this.sleep(wait);
  }

  async keep(
    slotMs: number,
    parts: number,
    options: RateWait & { leadMs?: number } = {},
  ): Promise<number | undefined> {
    const { leadMs = 0, ...wait } = options;
    let slot: number | undefined = slotMs;
    // Once: a store slower than the slots would otherwise have every send book again for ever.
    for (let rebooked = false; slot !== undefined; rebooked = true) {
      await this.waitUntil(slot - leadMs);
      if (rebooked || this.now() - slot <= LATE_MS) return slot;
      slot = await this.reserve(parts, wait);
    }
    return undefined;
  }

  async reserve(parts: number, options: RateWait = {}): Promise<number | undefined> {
    const { windowMs } = this.pacing;
    const deadline = this.now() + (options.maxWaitMs ?? Number.POSITIVE_INFINITY);
    // This window's positions: the parts (or a window's worth of them) and any empty ones.
    const positions = positionsFor(parts, this.pacing, this.options.partsPerSecond);
    const partsHere = Math.min(parts, positions);
    for (;;) {
      const now = this.now();
      const current = now - (now % windowMs);
      // This window, else the next one at once: a backlog keeps positions booked ahead of the
      // clock, so no slot passes unused while a task waits for a window to begin. A message of
      // several positions may also take the window after: were it to wait for the next window to
      // begin instead, the single parts behind it would take that window's last places first,
      // window after window, and a backlog would end on messages too long for what each window
      // has left (a toll-free number's backlog drained at 0.90-0.94 of its rate, not 0.96).
      const windows = [current, current + windowMs];
      if (positions > 1) windows.push(current + 2 * windowMs);
      for (const window of windows) {
        const total = await this.takeIn(window, positions, now, deadline);
        if (total !== undefined) {
          this.counters.emptyPositions += positions - partsHere;
          await this.bookRest(window, parts - partsHere);
          // The middle of its positions (see JITTER_MARGIN_MS): `total - 1` for one part.
          return window + (total - (positions + 1) / 2) * this.pacing.slotMs;
        }
      }
      const next = current + windowMs;
      // The window after the next starts past the deadline: nothing can be free in time.
      if (next + windowMs > deadline) return undefined;
      await this.sleep(next - now);
    }
  }

  /** A position in `window` whose slot is neither past nor after the deadline, if one is free. */
  private async takeIn(
    window: number,
    positions: number,
    now: number,
    deadline: number,
  ): Promise<number | undefined> {
    const { partsPerWindow } = this.pacing;
    if (window > deadline) return undefined;
    // Not a slot that will have passed when the store answers (twice its recent answer time,
    // at most MAX_LOOKAHEAD_MS: a store slower than that must not push every slot past the next
    // window, where no take would ever be tried again to bring the average down).
    const ahead = Math.min(2 * this.storeMs, MAX_LOOKAHEAD_MS);
    const from = firstPositionFrom(this.pacing, window, now + ahead);
    const lastByDeadline = lastPositionBy(this.pacing, window, deadline);
    // The call goes at the middle of its positions: that one, not the first, is due by then.
    const limit = Math.min(partsPerWindow, lastByDeadline + Math.floor((positions + 1) / 2));
    if (from + positions > limit) return undefined;
    const started = this.now();
    const total = await this.options.store.takeRateBudget(
      this.options.identity,
      window,
      positions,
      limit,
      from,
    );
    // A moving average: one slow answer does not push every slot out.
    this.storeMs = 0.8 * this.storeMs + 0.2 * Math.max(0, this.now() - started);
    this.count(window, from, positions, total);
    return total;
  }

  private count(window: number, from: number, positions: number, total: number | undefined): void {
    const counters = this.counters;
    if (total === undefined) {
      counters.windowFull += 1;
      return;
    }
    counters.takes += 1;
    if (from > 0 && total - positions === from) {
      counters.raisedToLookahead += 1;
      if (this.seen.window === window && from > this.seen.total) {
        counters.positionsSkipped += from - this.seen.total;
      }
    }
    if (this.seen.window !== window || total > this.seen.total) this.seen = { window, total };
  }

  /**
   * The parts beyond one window's worth go into the next windows with room. End User Messaging
   * queues a long message's parts itself; what matters is that later windows hold back as many.
   */
  private async bookRest(window: number, rest: number): Promise<void> {
    const { windowMs, partsPerWindow } = this.pacing;
    let next = window;
    // Bounded: windows full of other tasks' parts are skipped, never more than 60 windows ahead.
    for (let tries = 0; rest > 0 && tries < 60; tries += 1) {
      next += windowMs;
      const parts = Math.min(rest, partsPerWindow);
      const taken = await this.options.store.takeRateBudget(
        this.options.identity,
        next,
        parts,
        partsPerWindow,
      );
      if (taken !== undefined) rest -= parts;
    }
  }
}
