/**
 * A token bucket in message parts for one origination identity, kept as a theoretical arrival
 * time (GCRA) so that a reservation is a synchronous calculation: concurrent senders get
 * consecutive slots without a lock, and a caller learns at once how long it must wait.
 * A message is let through once the parts before it are paid for; its own parts then delay
 * the next one, which holds the long-run rate at `partsPerSecond` whatever the message sizes.
 */
export class TokenBucket {
  private readonly intervalMs: number;
  private readonly burstMs: number;
  private theoreticalArrival = 0;

  constructor(
    partsPerSecond: number,
    private readonly now: () => number,
    burstParts = Math.max(1, Math.floor(partsPerSecond)),
  ) {
    this.intervalMs = 1000 / partsPerSecond;
    this.burstMs = (burstParts - 1) * this.intervalMs;
  }

  /**
   * Reserves `parts` and returns how many milliseconds to wait before sending, or undefined
   * (reserving nothing) when that wait would exceed `maxWaitMs`.
   */
  reserve(parts: number, maxWaitMs = Number.POSITIVE_INFINITY): number | undefined {
    const now = this.now();
    const start = Math.max(now, this.theoreticalArrival - this.burstMs);
    const wait = start - now;
    if (wait > maxWaitMs) return undefined;
    this.theoreticalArrival = Math.max(this.theoreticalArrival, now) + parts * this.intervalMs;
    return wait;
  }
}
