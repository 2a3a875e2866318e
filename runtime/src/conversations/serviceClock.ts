const DAY_MS = 24 * 60 * 60 * 1000;

/** Timestamps as the store keeps them (ISO 8601), from the service's injectable clock. */
export class ServiceClock {
  constructor(
    private readonly now: () => Date,
    private readonly recordTtlDays: number,
  ) {}

  /** Now, or `offsetMs` from now. */
  timestamp(offsetMs = 0): string {
    return new Date(this.now().getTime() + offsetMs).toISOString();
  }

  /** When a conversation or message recorded now is deleted (the store's TTL). */
  recordExpiresAt(): string {
    return this.timestamp(this.recordTtlDays * DAY_MS);
  }
}
