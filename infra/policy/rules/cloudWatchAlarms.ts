/** CloudWatch alarms. */
import { asList, stackPolicy, type HipaaPolicy } from "../policyKit";

export const cloudWatchAlarmPolicies: HipaaPolicy[] = [
  stackPolicy({
    name: "every-alarm-has-an-action",
    control: "W1",
    sources: ["HIPAA.Security-CloudWatchAlarmAction", "CKV_AWS_319"],
    description: "Every alarm notifies someone",
    enforcementLevel: "mandatory",
    remediation:
      "create alarms through the Monitoring component, which wires them to the alarm topic",
    check: (resources) =>
      resources
        .filter((r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm")
        .filter(
          (r) =>
            asList(r.props.alarmActions as string[]).length === 0 ||
            r.props.actionsEnabled === false,
        )
        .map((r) => ({ message: `alarm ${r.name} has no action`, urn: r.urn })),
  }),
];
