/** `takeRateBudget` as both stores keep it: raise to `fromPosition`, add, refuse above `limit`. */
export class WindowTotals {
  readonly totals = new Map<number, number>();
  async takeRateBudget(
    _identity: string,
    windowStartMs: number,
    parts: number,
    limit: number,
    fromPosition = 0,
  ): Promise<number | undefined> {
    const total = Math.max(this.totals.get(windowStartMs) ?? 0, fromPosition) + parts;
    if (total > limit) return undefined;
    this.totals.set(windowStartMs, total);
    return total;
  }
}
