import { INTERFACE_ENDPOINTS } from "../components/network";
import type { StackConfig } from "../stackConfig";
import type { Registered } from "./mockProgram";

/**
 * List prices (US East, N. Virginia) used by the estimate. They are assumptions to check against
 * the AWS pricing pages and the account's agreements, not quotes.
 */
export const PRICES = {
  hoursPerMonth: 730,
  fargateVcpuHour: 0.04048,
  fargateGbHour: 0.004445,
  albHour: 0.0225,
  albLcuHour: 0.008,
  natHour: 0.045,
  natGb: 0.045,
  interfaceEndpointAzHour: 0.01,
  kmsKeyMonth: 1,
  secretMonth: 0.4,
  wafAclMonth: 5,
  wafRuleMonth: 1,
  wafMillionRequests: 0.6,
  alarmMetricMonth: 0.1,
  /** A custom metric (first 10,000 metrics tier); each log metric filter makes one. */
  customMetricMonth: 0.3,
  dashboardMonth: 3,
  logsIngestGb: 0.5,
  /** US outbound/inbound SMS per part, base price plus an average carrier fee. */
  smsOutboundPart: { SIMULATOR: 0.00581, TOLL_FREE: 0.00581 + 0.0025, TEN_DLC: 0.00581 + 0.003 },
  smsInboundPart: 0.00581,
  numberLeaseMonth: { SIMULATOR: 0, TOLL_FREE: 2, TEN_DLC: 2 },
};

export interface CostLine {
  item: string;
  monthlyUsd: number;
  basis: string;
}

/** The stack's monthly cost from its configuration and the resources the program declares. */
export function estimateMonthlyCost(
  config: StackConfig,
  resources: Registered[],
): { lines: CostLine[]; totalUsd: number; assumptions: string[] } {
  const h = PRICES.hoursPerMonth;
  const count = (type: string) => resources.filter((r) => r.type === type).length;
  const type = config.phoneNumber.type;
  const { outbound, inbound } = config.expectedMonthlyParts;
  const vcpu = config.service.cpu / 1024;
  const gb = config.service.memory / 1024;
  const alarms = resources.filter((r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm");
  const alarmMetrics = alarms.reduce(
    (n, a) =>
      n +
      Math.max(
        1,
        ((a.inputs.metricQueries as { metric?: unknown }[] | undefined) ?? []).filter(
          (q) => q.metric,
        ).length,
      ),
    0,
  );
  const wafRules = (
    (resources.find((r) => r.type === "aws:wafv2/webAcl:WebAcl")?.inputs.rules as
      unknown[] | undefined) ?? []
  ).length;
  const endpoints =
    config.network.kind === "create" && config.network.vpcEndpoints
      ? INTERFACE_ENDPOINTS.length
      : 0;
  const nat = config.network.kind === "create" && config.network.natGateway;
  // webhook calls: one per inbound part and about three delivery events per outbound part, plus agent calls
  const requests = inbound + outbound * 4;

  const lines: CostLine[] = [
    {
      item: `Phone number lease (${type})`,
      monthlyUsd: PRICES.numberLeaseMonth[type],
      basis: "monthly lease; the deployed number's monthlyLeasingPrice is authoritative",
    },
    {
      item: "SMS sent",
      monthlyUsd: outbound * PRICES.smsOutboundPart[type],
      basis: `${outbound} parts × $${PRICES.smsOutboundPart[type].toFixed(5)}`,
    },
    {
      item: "SMS received",
      monthlyUsd: inbound * PRICES.smsInboundPart,
      basis: `${inbound} parts × $${PRICES.smsInboundPart}`,
    },
    {
      item: "Fargate tasks",
      monthlyUsd:
        config.service.desiredCount *
        h *
        (vcpu * PRICES.fargateVcpuHour + gb * PRICES.fargateGbHour),
      basis: `${config.service.desiredCount} × (${vcpu} vCPU, ${gb} GB) × ${h} h`,
    },
    {
      item: "Application Load Balancer",
      monthlyUsd: h * (PRICES.albHour + PRICES.albLcuHour),
      basis: `${h} h and 1 LCU`,
    },
    {
      item: "NAT gateway",
      monthlyUsd: nat ? h * PRICES.natHour + 10 * PRICES.natGb : 0,
      basis: nat ? `${h} h and 10 GB processed` : "none",
    },
    {
      item: "Interface VPC endpoints",
      monthlyUsd: endpoints * 2 * h * PRICES.interfaceEndpointAzHour,
      basis: `${endpoints} endpoints × 2 AZs × ${h} h`,
    },
    {
      item: "KMS keys",
      monthlyUsd: count("aws:kms/key:Key") * PRICES.kmsKeyMonth,
      basis: `${count("aws:kms/key:Key")} keys`,
    },
    {
      item: "Secrets Manager",
      monthlyUsd:
        (count("aws:secretsmanager/secret:Secret") +
          count("aws:cloudwatch/eventConnection:EventConnection")) *
        PRICES.secretMonth,
      basis: `${count("aws:secretsmanager/secret:Secret")} runtime secrets and the connection's secret`,
    },
    {
      item: "WAF",
      monthlyUsd:
        PRICES.wafAclMonth +
        wafRules * PRICES.wafRuleMonth +
        (requests / 1e6) * PRICES.wafMillionRequests,
      basis: `1 web ACL, ${wafRules} rules, ${requests} requests`,
    },
    {
      item: "CloudWatch alarms",
      monthlyUsd: alarmMetrics * PRICES.alarmMetricMonth,
      basis: `${alarms.length} alarms over ${alarmMetrics} metrics`,
    },
    {
      item: "CloudWatch custom metrics",
      monthlyUsd:
        count("aws:cloudwatch/logMetricFilter:LogMetricFilter") * PRICES.customMetricMonth,
      basis: `${count("aws:cloudwatch/logMetricFilter:LogMetricFilter")} metrics from the runtime's log lines (metric filters)`,
    },
    {
      item: "CloudWatch dashboard",
      monthlyUsd: PRICES.dashboardMonth,
      basis: "1 dashboard (beyond the free three)",
    },
    {
      item: "CloudWatch Logs ingestion",
      monthlyUsd: 2 * PRICES.logsIngestGb,
      basis: "2 GB of service, audit, flow and WAF logs",
    },
  ];
  const totalUsd = lines.reduce((sum, l) => sum + l.monthlyUsd, 0);
  return {
    lines,
    totalUsd,
    assumptions: [
      "US East (N. Virginia) list prices; check the AWS pricing pages and your agreement.",
      `SMS to US numbers: $${PRICES.smsInboundPart} a part plus an average carrier fee; other countries differ widely.`,
      "Volumes come from expectedMonthlyPartsOut / expectedMonthlyPartsIn in the stack's config.",
      "DynamoDB on demand and its AWS Backup copies, SNS, SQS (the outbound queue too), EventBridge, EventBridge Scheduler and data transfer are cents at these volumes and are left out.",
      "Registration fees for toll-free and 10DLC numbers (brand and campaign vetting) are not included.",
    ],
  };
}
