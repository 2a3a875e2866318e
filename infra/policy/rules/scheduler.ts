/** EventBridge Scheduler: the role the outbound queue's one-time schedules run as. */
import { principals, resourcePolicy, statements, type HipaaPolicy } from "../policyKit";

/** A schedule group's ARN, or the ARN pattern of the schedules in one named group. */
const ONE_GROUP =
  /^arn:aws[a-z-]*:scheduler:[a-z0-9-]+:\d{12}:(schedule-group\/[\w.-]+|schedule\/[\w.-]+\/[\w.*-]+)$/;

export const schedulerPolicies: HipaaPolicy[] = [
  resourcePolicy({
    name: "scheduler-role-trust-scoped",
    control: "E3",
    sources: ["EventBridge Scheduler cross-service confused deputy prevention docs", "CKV_AWS_60"],
    description:
      "A role EventBridge Scheduler assumes trusts it only for this account (aws:SourceAccount) and one schedule group (aws:SourceArn)",
    enforcementLevel: "mandatory",
    remediation:
      "give the trust policy aws:SourceAccount and aws:SourceArn naming the stack's group and its schedules (SendScheduler component)",
    types: ["aws:iam/role:Role"],
    check: (p) =>
      statements(p.assumeRolePolicy)
        .filter(
          (s) => s.Effect !== "Deny" && principals(s).services.includes("scheduler.amazonaws.com"),
        )
        .flatMap((s) => {
          const conditions = Object.values(s.Condition ?? {});
          const values = (key: string) =>
            conditions.flatMap((c) =>
              Object.entries(c)
                .filter(([k]) => k.toLowerCase() === key.toLowerCase())
                .flatMap(([, v]) => (Array.isArray(v) ? v : [v]))
                .map(String),
            );
          const sourceArns = values("aws:SourceArn");
          return [
            ...(values("aws:SourceAccount").length > 0
              ? []
              : ["scheduler.amazonaws.com may assume the role without aws:SourceAccount"]),
            ...(sourceArns.length === 0
              ? ["scheduler.amazonaws.com may assume the role for any schedule (no aws:SourceArn)"]
              : sourceArns
                  .filter((arn) => !ONE_GROUP.test(arn))
                  .map((arn) => `aws:SourceArn ${arn} is not one schedule group's`)),
          ];
        }),
  }),
];
