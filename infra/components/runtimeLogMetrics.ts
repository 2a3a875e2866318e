import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { LOG_METRICS, type LogMetricName } from "../../runtime/src/contract/logMetrics";

export interface RuntimeLogMetricsArgs {
  /** The runtime's service log group, where the container's stdout lands (awslogs driver). */
  logGroupName: pulumi.Input<string>;
  /** The CloudWatch namespace of this stack's runtime metrics (one per stack: no dimensions). */
  namespace: string;
}

/**
 * The runtime's metrics, made from its log lines by CloudWatch Logs metric filters on the
 * service log group: a line with `"metric": "<name>"` and a numeric `value` is one data point of
 * `<namespace>/<name>` (names from `runtime/src/contract/logMetrics.ts`, which the runtime uses).
 *
 * Filters rather than the Embedded Metric Format: EMF would also work with the ECS awslogs driver
 * (it delivers with PutLogEvents, and CloudWatch Logs extracts EMF from PutLogEvents without the
 * `x-amzn-logs-format: json/emf` header: "you have the option to include the following HTTP
 * header ... but it's not required",
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Generation_PutLogEvents.html),
 * but every metric line would carry an `_aws` block naming the namespace, the runtime would
 * decide the stack's metric names, and any field an EMF line lists as a dimension becomes one.
 * With filters the runtime's lines stay plain pino lines, the stack owns names and namespace next
 * to the alarms that use them, and the filters take no dimensions at all, so no per-send or
 * per-patient field can become a metric (the policy pack checks that, rule W3).
 */
export class RuntimeLogMetrics extends pulumi.ComponentResource {
  readonly namespace: string;
  readonly filters: aws.cloudwatch.LogMetricFilter[] = [];

  constructor(
    name: string,
    args: RuntimeLogMetricsArgs,
    opts: pulumi.ComponentResourceOptions = {},
  ) {
    super("eum-sms:monitoring:RuntimeLogMetrics", name, {}, opts);
    this.namespace = args.namespace;
    for (const { name: metric, unit } of Object.values(LOG_METRICS)) {
      this.filters.push(
        new aws.cloudwatch.LogMetricFilter(
          `${name}-${kebab(metric)}`,
          {
            name: metric,
            logGroupName: args.logGroupName,
            pattern: logMetricPattern(metric),
            metricTransformation: {
              name: metric,
              namespace: args.namespace,
              // The line's own value: 1/0 for the SendsHeld gauge, 1 for the counts. A value taken
              // from a JSON field must be matched by the pattern, "if only as '$.fieldName = *'"
              // (https://docs.aws.amazon.com/cdk/api/latest/docs/@aws-cdk_aws-logs.MetricFilterProps.html).
              value: "$.value",
              unit,
            },
          },
          { parent: this },
        ),
      );
    }
    this.registerOutputs({ namespace: this.namespace });
  }
}

/**
 * The filter pattern for one metric's lines, in CloudWatch Logs' JSON pattern syntax
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html): the
 * `metric` field equals the name and a `value` field is present.
 */
export function logMetricPattern(metric: LogMetricName): string {
  return `{ ($.metric = "${metric}") && ($.value = *) }`;
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c, i: number) => (i === 0 ? "" : "-") + c.toLowerCase());
}
