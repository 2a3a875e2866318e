/**
 * Where this process's share of the number's rate went: counts and times the pacer, the send
 * executor and the queue worker add to, logged (info, no number or text) by the worker when its
 * backlog drains and every `PACING_LINE_EVERY_MS` while it lasts, so a benchmark can tell unused
 * slots from their causes. One set per process: the tasks of a stack each log their own.
 */
export class PacingCounters {
  /** Takes that booked a position. */
  takes = 0;
  /** Store answers "this window is full" (the take then tried the next window or slept). */
  windowFull = 0;
  /** Takes whose position was the look-ahead's `fromPosition` (the counter lagged the clock). */
  raisedToLookahead = 0;
  /** Positions below `fromPosition` this process last saw free in that window: passed unused. */
  positionsSkipped = 0;
  /**
   * Positions booked empty beside multi-part messages (`positionsFor`): the rate a number spends
   * so that a message's parts, sent at once, keep `LATE_MS` of the margin.
   */
  emptyPositions = 0;
  /** Workers woken more than LATE_MS after their slot before `markCallStarted`, booked again. */
  rebookedBeforeMark = 0;
  /** The same after `markCallStarted`: the write ended too late, or the timer for the slot. */
  rebookedAfterMark = 0;
  /** Of those, the ones whose write ended more than LATE_MS after the slot. */
  markEndedLate = 0;
  /** `markCallStarted`'s time: sum and slowest (ms). */
  markMsSum = 0;
  markMsMax = 0;
  /** Sum and count of the lateness at the gateway call (now - slot, ms, 0 when early). */
  callLateMsSum = 0;
  calls = 0;
  callLateMsMax = 0;
  /**
   * Worker time (ms, summed over workers): receives that brought work, claim to slot booked
   * (record reads, verdict, the take), booked to the gateway call (sleeping for the slot,
   * `markCallStarted`), and the rest of handling (the call, the outcome, the message deleted).
   */
  receiveMs = 0;
  receiveEmpty = 0;
  claimToBookedMs = 0;
  waitForSlotMs = 0;
  /** The worker's whole handling of its messages; the rest after the two above is `afterSlotMs`. */
  handleMs = 0;

  callAt(lateMs: number): void {
    const late = Math.max(0, lateMs);
    this.calls += 1;
    this.callLateMsSum += late;
    this.callLateMsMax = Math.max(this.callLateMsMax, late);
  }

  /** The figures since the last snapshot, rounded; resets them. */
  snapshot(): Record<string, number> {
    const round = (n: number): number => Math.round(n);
    const figures = {
      takes: this.takes,
      windowFull: this.windowFull,
      raisedToLookahead: this.raisedToLookahead,
      positionsSkipped: this.positionsSkipped,
      emptyPositions: this.emptyPositions,
      rebookedBeforeMark: this.rebookedBeforeMark,
      rebookedAfterMark: this.rebookedAfterMark,
      markEndedLate: this.markEndedLate,
      calls: this.calls,
      callLateMsSum: round(this.callLateMsSum),
      markMsSum: round(this.markMsSum),
      markMsMax: round(this.markMsMax),
      callLateMsMax: round(this.callLateMsMax),
      receiveMs: round(this.receiveMs),
      receiveEmpty: this.receiveEmpty,
      claimToBookedMs: round(this.claimToBookedMs),
      waitForSlotMs: round(this.waitForSlotMs),
      afterSlotMs: round(Math.max(0, this.handleMs - this.claimToBookedMs - this.waitForSlotMs)),
    };
    Object.assign(this, new PacingCounters());
    return figures;
  }
}

/** How often the worker logs the counters while a backlog lasts. */
export const PACING_LINE_EVERY_MS = 5_000;

/** This process's counters. */
export const pacingCounters = new PacingCounters();
