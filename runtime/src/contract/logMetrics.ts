/**
 * The metrics the runtime writes as log lines and the stack turns into CloudWatch metrics with
 * metric filters on the service log group (`infra/components/runtimeLogMetrics.ts`). One list
 * both import, as `runtimeContract.ts` is for settings: a name written on one side only is a
 * metric that never appears and an alarm that never fires.
 *
 * A metric line is an ordinary log line with `metric` (one of these names) and a numeric
 * `value`; it carries no number, body or other per-patient field, and the filters take no
 * dimensions from it (a dimension per send would be a metric per send).
 */
export const LOG_METRICS = {
  /** Gauge: 1 while sends are held (the number or its registration cannot send), else 0. */
  sendsHeld: { name: "SendsHeld", unit: "None" },
  /** Count: a send whose task stopped during the gateway call; it is never re-sent. */
  sendOutcomeUnknown: { name: "SendOutcomeUnknown", unit: "Count" },
  /** Count: a send queued again after a temporary carrier failure. */
  carrierRetryQueued: { name: "CarrierRetryQueued", unit: "Count" },
} as const;

export type LogMetricName = (typeof LOG_METRICS)[keyof typeof LOG_METRICS]["name"];

/** The fields that make a log line a metric data point. */
export interface LogMetricFields {
  metric: LogMetricName;
  value: number;
}

export function logMetric(name: LogMetricName, value: number): LogMetricFields {
  return { metric: name, value };
}
