import type { StackConfig } from "../stackConfig";
import type { CostLine } from "./costEstimate";
import { renderEvidence, type Evidence } from "./evidence";
import type { Registered } from "./mockProgram";
import type { ComponentGroup } from "./resourceGraph";
import type { PolicyResult } from "./runPolicies";

/** The security settings worth showing per resource type, by input name. */
const KEY_SETTINGS: Record<string, string[]> = {
  "aws:kms/key:Key": ["description", "enableKeyRotation", "deletionWindowInDays"],
  "aws:sns/topic:Topic": ["kmsMasterKeyId", "signatureVersion", "fifoTopic"],
  "aws:sns/topicSubscription:TopicSubscription": [
    "protocol",
    "endpoint",
    "rawMessageDelivery",
    "redrivePolicy",
  ],
  "aws:sqs/queue:Queue": ["kmsMasterKeyId", "messageRetentionSeconds"],
  "aws:pinpoint/smsvoicev2PhoneNumber:Smsvoicev2PhoneNumber": [
    "numberType",
    "twoWayChannelEnabled",
    "optOutListName",
    "selfManagedOptOutsEnabled",
    "deletionProtectionEnabled",
  ],
  "aws:cloudwatch/eventConnection:EventConnection": ["authorizationType", "kmsKeyIdentifier"],
  "aws:cloudwatch/eventApiDestination:EventApiDestination": [
    "invocationEndpoint",
    "invocationRateLimitPerSecond",
  ],
  "aws:cloudwatch/eventTarget:EventTarget": ["retryPolicy", "deadLetterConfig"],
  "aws:lb/loadBalancer:LoadBalancer": [
    "internal",
    "dropInvalidHeaderFields",
    "desyncMitigationMode",
    "enableDeletionProtection",
    "accessLogs",
  ],
  "aws:lb/listener:Listener": ["port", "protocol", "sslPolicy"],
  "aws:wafv2/webAcl:WebAcl": ["scope"],
  "aws:ecs/service:Service": [
    "launchType",
    "desiredCount",
    "deploymentCircuitBreaker",
    "networkConfiguration.assignPublicIp",
  ],
  "aws:ecs/cluster:Cluster": ["settings"],
  "aws:dynamodb/table:Table": [
    "billingMode",
    "serverSideEncryption",
    "pointInTimeRecovery",
    "ttl",
    "deletionProtectionEnabled",
  ],
  "aws:cloudwatch/logGroup:LogGroup": ["name", "kmsKeyId", "retentionInDays"],
  "aws:secretsmanager/secret:Secret": ["name", "kmsKeyId"],
  "aws:ecr/repository:Repository": [
    "imageTagMutability",
    "imageScanningConfiguration",
    "encryptionConfigurations",
  ],
  "aws:ec2/subnet:Subnet": ["cidrBlock", "mapPublicIpOnLaunch"],
  "aws:ec2/flowLog:FlowLog": ["trafficType", "logDestinationType"],
  "aws:cloudtrail/trail:Trail": ["isMultiRegionTrail", "enableLogFileValidation", "kmsKeyId"],
  "aws:cloudwatch/metricAlarm:MetricAlarm": ["alarmDescription", "threshold"],
  "aws:cloudwatch/logMetricFilter:LogMetricFilter": [
    "pattern",
    "metricTransformation.namespace",
    "metricTransformation.dimensions",
  ],
};

const get = (obj: Record<string, unknown>, path: string): unknown =>
  path
    .split(".")
    .reduce<unknown>(
      (v, k) => (v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined),
      obj,
    );

function settings(r: Registered): string {
  const keys = KEY_SETTINGS[r.type] ?? [];
  const parts = keys
    .map((k) => [k, get(r.inputs, k)] as const)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`);
  if (r.type === "aws:ecs/taskDefinition:TaskDefinition") {
    const [c] = JSON.parse(String(r.inputs.containerDefinitions)) as Record<string, unknown>[];
    if (c) {
      parts.push(
        `readonlyRootFilesystem: ${String(c.readonlyRootFilesystem)}`,
        `user: ${String(c.user)}`,
        `secrets: ${((c.secrets as { name: string }[]) ?? []).map((s) => s.name).join(", ")}`,
      );
    }
  }
  return parts.join("; ").replace(/\|/g, "\\|");
}

const usd = (n: number) => `$${n.toFixed(2)}`;

export interface ReviewReport {
  stack: string;
  config: StackConfig;
  groups: ComponentGroup[];
  results: PolicyResult[];
  outputs: Record<string, unknown>;
  diagram: string;
  cost: { lines: CostLine[]; totalUsd: number; assumptions: string[] };
  evidence: Evidence;
}

export function renderReport(r: ReviewReport): string {
  const total = r.groups.reduce((n, g) => n + g.resources.length, 0);
  const failing = r.results.filter((p) => p.violations.length > 0);
  const mandatoryFailing = failing.filter((p) => p.enforcementLevel === "mandatory");
  const out: string[] = [];
  out.push(`# Stack review: ${r.stack}`);
  out.push("");
  out.push(
    `Environment **${r.config.environment}** in **${r.config.region}**, phone number type **${r.config.phoneNumber.type}**, ` +
      `${total} resources in ${r.groups.length} components. Policies: ${r.results.length} run, ` +
      `${r.results.length - failing.length} pass, ${mandatoryFailing.length} mandatory and ` +
      `${failing.length - mandatoryFailing.length} advisory with findings. Estimated cost: **${usd(r.cost.totalUsd)} a month**.`,
  );
  out.push("");
  out.push(
    "Made offline by `npm run review` (the real program under Pulumi mocks: no AWS credentials, no Pulumi CLI). Values that AWS assigns at deploy time (ARNs, ids) are placeholders.",
  );
  out.push("");
  out.push("## Architecture");
  out.push("");
  out.push(
    "Components and the references between them, drawn from the resources the program declares (A → B: A uses an ARN, id or URL of B).",
  );
  out.push("");
  out.push("```mermaid");
  out.push(r.diagram);
  out.push("```");
  out.push("");
  out.push("## Policy results");
  out.push("");
  out.push("| Result | Policy | Control | Level | Sources |");
  out.push("|---|---|---|---|---|");
  for (const p of [...r.results].sort(
    (a, b) => a.info.control.localeCompare(b.info.control) || a.policy.localeCompare(b.policy),
  )) {
    const result =
      p.violations.length === 0
        ? "pass"
        : p.enforcementLevel === "mandatory"
          ? "**FAIL**"
          : "advisory";
    out.push(
      `| ${result} | \`${p.policy}\` | ${p.info.control} | ${p.enforcementLevel} | ${p.info.sources.join(", ")} |`,
    );
  }
  if (failing.length > 0) {
    out.push("");
    out.push("### Findings");
    out.push("");
    for (const p of failing) {
      for (const v of p.violations)
        out.push(
          `- \`${p.policy}\` (${p.info.control}, ${p.enforcementLevel})${v.resource ? ` on \`${v.resource}\`` : ""}: ${v.message}`,
        );
    }
  }
  out.push("");
  out.push(...renderEvidence(r.evidence));
  out.push("## Resources by component");
  for (const g of r.groups) {
    out.push("");
    out.push(`### ${g.name} (\`${g.type}\`)`);
    out.push("");
    out.push("| Resource | Type | Key settings |");
    out.push("|---|---|---|");
    for (const res of g.resources) out.push(`| ${res.name} | \`${res.type}\` | ${settings(res)} |`);
  }
  out.push("");
  out.push("## Outputs");
  out.push("");
  out.push("| Output | Value (placeholder until deployed) |");
  out.push("|---|---|");
  for (const [k, v] of Object.entries(r.outputs)) out.push(`| ${k} | \`${String(v)}\` |`);
  out.push("");
  out.push("## Monthly cost estimate");
  out.push("");
  out.push("| Item | USD a month | Basis |");
  out.push("|---|--:|---|");
  for (const l of r.cost.lines) out.push(`| ${l.item} | ${usd(l.monthlyUsd)} | ${l.basis} |`);
  out.push(`| **Total** | **${usd(r.cost.totalUsd)}** | |`);
  out.push("");
  out.push("Assumptions:");
  out.push("");
  for (const a of r.cost.assumptions) out.push(`- ${a}`);
  out.push("");
  return out.join("\n");
}
