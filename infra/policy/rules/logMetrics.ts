/** Metrics made from log lines: CloudWatch Logs metric filters. */
import { resourcePolicy, type HipaaPolicy } from "../policyKit";

export const logMetricPolicies: HipaaPolicy[] = [
  resourcePolicy({
    name: "log-metric-filters-without-dimensions",
    control: "U2",
    sources: ["CloudWatch Logs MetricTransformation.dimensions docs"],
    description:
      "Metric filters take no dimensions from log fields, so no per-patient or per-send value becomes a metric label",
    enforcementLevel: "mandatory",
    remediation:
      "drop metricTransformation.dimensions; give each stack its own namespace instead (RuntimeLogMetrics)",
    types: ["aws:cloudwatch/logMetricFilter:LogMetricFilter"],
    check: (p) => {
      const transformation = (p.metricTransformation ?? {}) as { dimensions?: object };
      const dimensions = Object.keys(transformation.dimensions ?? {});
      return dimensions.length === 0
        ? []
        : [`the metric filter takes dimensions from log fields (${dimensions.join(", ")})`];
    },
  }),
];
