import type { OutboundStore } from "../store/outboundStore";

const WINDOW_MS = 1000;

/** What a send asks of the number's rate: its parts, now or (waiting) in a later second. */
export interface RateBudget {
  /**
   * Takes `parts` of this second's budget. With `wait`, sleeps into the next windows until one has
   * room and resolves true; without it, answers false at once when this second is spent.
   */
  take(parts: number, options: { wait: boolean; maxWaitMs?: number }): Promise<boolean>;
}

export interface RatePacerOptions {
  store: Pick<OutboundStore, "takeRateBudget">;
  /** The origination identity whose parts per second are shared by every task. */
  identity: string;
  partsPerSecond: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const sleepFor = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms).unref());

/**
 * The origination identity's parts per second, shared across tasks through the store: each
 * window is a counter every task adds to under a condition, so the total of all tasks in any
 * window never exceeds the limit (End User Messaging's MPS is per identity, not per task).
 *
 * A number slower than one part per second (0.5 MPS) gets windows of `ceil(1 / pps)` seconds.
 * A message with more parts than a window holds takes a whole window and books its remaining
 * parts in the following ones, so the long-run rate stays at the limit whatever the sizes.
 */
export class RatePacer implements RateBudget {
  private readonly windowMs: number;
  private readonly partsPerWindow: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: RatePacerOptions) {
    const seconds = options.partsPerSecond >= 1 ? 1 : Math.ceil(1 / options.partsPerSecond);
    this.windowMs = seconds * WINDOW_MS;
    this.partsPerWindow = Math.max(1, Math.floor(options.partsPerSecond * seconds));
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? sleepFor;
  }

  /**
   * `maxWaitMs` bounds the wait of a caller that asked to wait (the agent API waits for the next
   * window or so, then hands the send to the queue rather than hold the request).
   */
  async take(parts: number, options: { wait: boolean; maxWaitMs?: number }): Promise<boolean> {
    const first = Math.min(parts, this.partsPerWindow);
    let waited = 0;
    for (;;) {
      const now = this.now();
      const window = now - (now % this.windowMs);
      if (await this.takeIn(window, first)) {
        await this.bookRest(window, parts - first);
        return true;
      }
      // A little past the boundary, so task clocks a few milliseconds apart agree on the window.
      const sleepMs = window + this.windowMs - now + 5;
      if (!options.wait || waited + sleepMs > (options.maxWaitMs ?? Number.POSITIVE_INFINITY)) {
        return false;
      }
      await this.sleep(sleepMs);
      waited += sleepMs;
    }
  }

  private takeIn(windowStartMs: number, parts: number): Promise<boolean> {
    return this.options.store.takeRateBudget(
      this.options.identity,
      windowStartMs,
      parts,
      this.partsPerWindow,
    );
  }

  /**
   * The parts beyond one window's worth go into the next windows with room. End User Messaging
   * queues a long message's parts itself; what matters is that later windows hold back as many.
   */
  private async bookRest(window: number, rest: number): Promise<void> {
    let next = window;
    // Bounded: windows full of other tasks' parts are skipped, never more than a minute ahead.
    for (let tries = 0; rest > 0 && tries < 60; tries += 1) {
      next += this.windowMs;
      const parts = Math.min(rest, this.partsPerWindow);
      if (await this.takeIn(next, parts)) rest -= parts;
    }
  }
}
