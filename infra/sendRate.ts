/** The runtime's lowest accepted SMS_MAX_PARTS_PER_SECOND (runtime/src/config.ts). */
export const MIN_TASK_PARTS_PER_SECOND = 0.1;

/**
 * Each task's send rate, so that every task autoscaling may run (up to `maxCount`) together
 * stays at or under the number's parts per second: rounded down to a thousandth, never up.
 * Returns undefined when the share would fall below what the runtime accepts.
 */
export function perTaskPartsPerSecond(
  numberPartsPerSecond: number,
  maxCount: number,
): number | undefined {
  // Thousandths first: an integer quotient is exact in floating point, a ratio times 1000 is not.
  const share = Math.floor((numberPartsPerSecond * 1000) / maxCount) / 1000;
  return share >= MIN_TASK_PARTS_PER_SECOND ? share : undefined;
}
