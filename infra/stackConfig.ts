/**
 * The stack's configuration: read once by the program entry, validated as a whole, and passed to
 * the components as typed args (components never read pulumi.Config). Every error names the key
 * and how to fix it. `Pulumi.yaml` declares the same keys with types, defaults and descriptions.
 */
import { COMMON_DEFAULTS, ENVIRONMENT_DEFAULTS, MPS_BY_TYPE } from "./stackDefaults";

export type Environment = "dev" | "staging" | "prod";
export type PhoneNumberType = "SIMULATOR" | "TOLL_FREE" | "TEN_DLC";

export interface StackConfig {
  project: string;
  environment: Environment;
  region: string;
  phoneNumber: {
    type: PhoneNumberType;
    isoCountryCode: string;
    /** Adopt an existing number (`pulumi import` semantics) instead of requesting a new one. */
    importId?: string;
    registrationId?: string;
    selfManagedOptOuts: boolean;
    maxPartsPerSecond: number;
  };
  smsMonthlyBudgetUsd: number;
  domainName: string;
  certificateArn: string;
  hostedZoneId: string;
  alarmEmail: string;
  /** A prebuilt image URI; otherwise the program builds runtime/Dockerfile into ECR. */
  image?: string;
  service: {
    cpu: number;
    memory: number;
    desiredCount: number;
    minCount: number;
    maxCount: number;
  };
  logRetentionDays: number;
  auditLogRetentionDays: number;
  deletionProtection: boolean;
  network:
    | { kind: "create"; cidr: string; natGateway: boolean; vpcEndpoints: boolean }
    | {
        kind: "existing";
        vpcId: string;
        publicSubnetIds: string[];
        privateSubnetIds: string[];
      };
  ingressCidrs: string[];
  wafRateLimit: number;
  createCloudTrail: boolean;
  conversationTtlDays: number;
  /** Days AWS Backup keeps daily backups of the table; 0 leaves it to point-in-time recovery. */
  backupRetentionDays: number;
  // ---- compliance keys (issue 14) ----
  /** Whether the stack can hold real patients' data: a real (non-simulator) number can. */
  holdsPatientData: boolean;
  /** A second region the CloudTrail bucket is replicated to (with createCloudTrail). */
  trailReplicaRegion?: string;
  /** Days between rotations of the agent token and the EventBridge key. */
  secretRotationDays: number;
  // ---- end compliance keys ----
  /** The send rules' settings (issue 12), given to the runtime as REQUIRE_CONSENT etc. */
  sendRules: {
    requireConsent: boolean;
    /** `HH:MM-HH:MM`, recipient-local. */
    quietHours: string;
    /** `N/<seconds>` or `none`. */
    frequencyCap: string;
  };
  /** Expected volumes, for the offline review's cost estimate only. */
  expectedMonthlyParts: { outbound: number; inbound: number };
}

export class StackConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid stack configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "StackConfigError";
  }
}

/** What the entry point hands in: `pulumi.Config#get` and `#getObject` for this project. */
export interface ConfigSource {
  get(key: string): string | undefined;
  getObject<T>(key: string): T | undefined;
}

/** CloudWatch Logs accepts only these retention periods. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
];

const FARGATE_CPU = [256, 512, 1024, 2048, 4096];

export function loadStackConfig(
  source: ConfigSource,
  context: { project: string; stack: string; region: string | undefined },
): StackConfig {
  const problems: string[] = [];
  const key = (name: string) => `${context.project}:${name}`;

  const str = (name: string): string | undefined => {
    const v = source.get(name)?.trim();
    return v === "" ? undefined : v;
  };
  const required = (name: string, fix: string): string => {
    const v = str(name);
    if (v === undefined) problems.push(`${key(name)} is required: ${fix}`);
    return v ?? "";
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const v = str(name);
    if (v === undefined) return fallback;
    if (v === "true" || v === "false") return v === "true";
    problems.push(`${key(name)}="${v}" must be true or false`);
    return fallback;
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const v = str(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${key(name)}="${v}" must be a whole number from ${min} to ${max}`);
      return fallback;
    }
    return n;
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const v = str(name);
    if (v === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(v)) {
      problems.push(`${key(name)}="${v}" must be one of ${allowed.join(", ")}`);
      return fallback;
    }
    return v as T;
  };
  const list = (name: string): string[] | undefined => {
    let value: unknown;
    try {
      value = source.getObject<unknown>(name);
    } catch {
      problems.push(`${key(name)} must be a YAML list of strings`);
      return undefined;
    }
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
      problems.push(`${key(name)} must be a YAML list of strings`);
      return undefined;
    }
    return value as string[];
  };

  const region = context.region ?? "";
  if (!region) problems.push("aws:region is required: pulumi config set aws:region us-east-1");

  const environment = oneOf<Environment>(
    "environment",
    ["dev", "staging", "prod"],
    (["dev", "staging", "prod"] as const).find((e) => e === context.stack) ?? "dev",
  );
  // Every fallback below comes from the defaults tables (stackDefaults.ts), not from here.
  const defaults = { ...COMMON_DEFAULTS, ...ENVIRONMENT_DEFAULTS[environment] };

  const phoneType = oneOf<PhoneNumberType>(
    "phoneNumberType",
    ["SIMULATOR", "TOLL_FREE", "TEN_DLC"],
    defaults.phoneNumberType,
  );
  const isoCountryCode = str("phoneNumberCountry") ?? defaults.phoneNumberCountry;
  if (!/^[A-Z]{2}$/.test(isoCountryCode)) {
    problems.push(
      `${key("phoneNumberCountry")}="${isoCountryCode}" must be a two-letter ISO country code such as US`,
    );
  }
  const registrationId = str("registrationId");
  if (
    phoneType === "TEN_DLC" &&
    registrationId === undefined &&
    str("importPhoneNumberId") === undefined
  ) {
    problems.push(
      `${key("registrationId")} is required for a TEN_DLC number: the id of its approved 10DLC campaign registration`,
    );
  }

  const domainName = required("domainName", "the webhook's host name, e.g. sms.dev.example.org");
  if (domainName && !/^(?=.{4,253}$)([a-z0-9](-*[a-z0-9])*\.)+[a-z]{2,63}$/.test(domainName)) {
    problems.push(`${key("domainName")}="${domainName}" is not a DNS host name`);
  }
  const certificateArn = required(
    "certificateArn",
    "the ARN of an ACM certificate for domainName in this region",
  );
  if (
    certificateArn &&
    !/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[\w-]+$/.test(certificateArn)
  ) {
    problems.push(
      `${key("certificateArn")} is not an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)`,
    );
  }
  // The HTTPS subscription's confirmation wait (10 minutes) needs domainName to resolve to the new
  // load balancer within the same `pulumi up`; only a record this program creates guarantees that.
  const hostedZoneId = required(
    "hostedZoneId",
    "the Route 53 hosted zone of domainName, so the stack can point it at its load balancer before SNS confirms the subscription",
  );
  // Route 53 documents a hosted zone id only as a ResourceId of at most 32 characters (the API
  // reference's HostedZone.Id); ids seen in practice are upper-case letters and digits, most
  // starting with Z, which is a habit, not a documented rule, so it is not required here.
  if (hostedZoneId && !/^[A-Z0-9]{1,32}$/.test(hostedZoneId.replace(/^\/hostedzone\//, ""))) {
    problems.push(
      `${key("hostedZoneId")}="${hostedZoneId}" is not a Route 53 hosted zone id (upper-case letters and digits, as \`aws route53 list-hosted-zones-by-name\` prints)`,
    );
  }
  const alarmEmail = required("alarmEmail", "the address (or pager email) that receives alarms");
  if (alarmEmail && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(alarmEmail)) {
    problems.push(`${key("alarmEmail")}="${alarmEmail}" is not an email address`);
  }
  const image = str("image");
  if (image !== undefined && !/^[\w.\-/:@]+$/.test(image)) {
    problems.push(`${key("image")}="${image}" is not an image reference`);
  }

  const cpu = int("cpu", defaults.cpu, 256, 4096);
  if (!FARGATE_CPU.includes(cpu))
    problems.push(`${key("cpu")}=${cpu} must be one of ${FARGATE_CPU.join(", ")}`);
  const memory = int("memory", defaults.memory, 512, 30720);
  const desiredCount = int("desiredCount", defaults.desiredCount, 1, 100);
  const minCount = int("minCount", desiredCount, 1, 100);
  const maxCount = int("maxCount", Math.max(desiredCount, defaults.maxCountAtLeast), 1, 200);
  if (minCount > desiredCount || desiredCount > maxCount) {
    problems.push(
      `${key("minCount")} <= ${key("desiredCount")} <= ${key("maxCount")} must hold (got ${minCount}, ${desiredCount}, ${maxCount})`,
    );
  }

  const numberPartsPerSecond = int("smsMaxPartsPerSecond", MPS_BY_TYPE[phoneType], 1, 1000);

  const retention = (name: string, fallback: number): number => {
    const days = int(name, fallback, 1, 3653);
    if (!LOG_RETENTION_DAYS.includes(days)) {
      problems.push(
        `${key(name)}=${days} is not a CloudWatch retention period: use one of ${LOG_RETENTION_DAYS.join(", ")}`,
      );
    }
    return days;
  };

  const vpcId = str("vpcId");
  const publicSubnetIds = list("publicSubnetIds");
  const privateSubnetIds = list("privateSubnetIds");
  let network: StackConfig["network"];
  if (vpcId !== undefined) {
    if (
      !publicSubnetIds ||
      publicSubnetIds.length < 2 ||
      !privateSubnetIds ||
      privateSubnetIds.length < 2
    ) {
      problems.push(
        `${key("publicSubnetIds")} and ${key("privateSubnetIds")} need two subnets each (two AZs) when ${key("vpcId")} is set`,
      );
    }
    network = {
      kind: "existing",
      vpcId,
      publicSubnetIds: publicSubnetIds ?? [],
      privateSubnetIds: privateSubnetIds ?? [],
    };
  } else {
    if (publicSubnetIds || privateSubnetIds) {
      problems.push(
        `${key("publicSubnetIds")}/${key("privateSubnetIds")} need ${key("vpcId")}; remove them to create a VPC`,
      );
    }
    const cidr = str("vpcCidr") ?? defaults.vpcCidr;
    if (!/^\d{1,3}(\.\d{1,3}){3}\/(1[6-9]|2[0-2])$/.test(cidr)) {
      problems.push(`${key("vpcCidr")}="${cidr}" must be an IPv4 CIDR from /16 to /22`);
    }
    const natGateway = bool("natGateway", defaults.natGateway);
    // Interface endpoints cannot reach SNS's signing certificates or SubscribeURLs (public HTTPS
    // on sns.<region>.amazonaws.com), so without a NAT gateway the subscription never confirms.
    if (!natGateway) {
      problems.push(
        `${key("natGateway")}=false leaves the tasks no route to SNS's signing certificates and SubscribeURL: set it to true, or use vpcId with private subnets that have outbound internet`,
      );
    }
    network = {
      kind: "create",
      cidr,
      natGateway,
      vpcEndpoints: bool("vpcEndpoints", defaults.vpcEndpoints),
    };
  }

  const ingressCidrs = list("ingressCidrs") ?? [...defaults.ingressCidrs];
  for (const cidr of ingressCidrs) {
    if (!/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(cidr))
      problems.push(`${key("ingressCidrs")} has "${cidr}", which is not an IPv4 CIDR`);
  }

  const budget = Number(str("smsMonthlyBudgetUsd") ?? defaults.smsMonthlyBudgetUsd);
  if (!Number.isFinite(budget) || budget <= 0) {
    problems.push(`${key("smsMonthlyBudgetUsd")} must be a positive number of US dollars`);
  }

  // ---- compliance keys (issue 14): decided by the number, not by the stack's name ----
  // A real number reaches real patients, so what they send is PHI and the table must be
  // recoverable beyond point-in-time recovery's 35 days (DynamoDBInBackupPlan, 164.308(a)(7)).
  const holdsPatientData = bool("holdsPatientData", phoneType !== "SIMULATOR");
  const backupRetentionDays = int(
    "backupRetentionDays",
    holdsPatientData ? defaults.backupRetentionDays : 0,
    0,
    36500,
  );
  if (holdsPatientData && backupRetentionDays === 0) {
    problems.push(
      `${key("backupRetentionDays")}=0 leaves a stack that can hold patients' data (${key("holdsPatientData")}, true for a ${phoneType} number) without backups: set it to 1 or more days`,
    );
  }
  const trailReplicaRegion = str("trailReplicaRegion");
  if (trailReplicaRegion !== undefined) {
    if (!/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(trailReplicaRegion)) {
      problems.push(
        `${key("trailReplicaRegion")}="${trailReplicaRegion}" is not an AWS region such as us-west-2`,
      );
    } else if (trailReplicaRegion === region) {
      problems.push(
        `${key("trailReplicaRegion")}=${trailReplicaRegion} is the stack's own region: pick a second region, e.g. us-west-2`,
      );
    }
    if (!bool("createCloudTrail", defaults.createCloudTrail)) {
      problems.push(
        `${key("trailReplicaRegion")} copies the stack's CloudTrail bucket: set ${key("createCloudTrail")}=true or remove it`,
      );
    }
  }
  // ---- end compliance keys ----

  // ---- send rules (issue 12): the runtime's REQUIRE_CONSENT, QUIET_HOURS, FREQUENCY_CAP ----
  const quietHours = str("quietHours") ?? defaults.quietHours;
  const hhmm = "([01]\\d|2[0-3]):[0-5]\\d";
  const allowed = new RegExp(`^(${hhmm})-(${hhmm})$`).exec(quietHours);
  if (!allowed || allowed[1] === allowed[3]) {
    problems.push(
      `${key("quietHours")}="${quietHours}" must be the allowed sending window, recipient-local, as HH:MM-HH:MM with two different times (e.g. 08:00-21:00)`,
    );
  }
  const frequencyCap = str("frequencyCap") ?? defaults.frequencyCap;
  const cap = /^(\d{1,4})\/(\d{1,9})$/.exec(frequencyCap);
  if (
    frequencyCap !== "none" &&
    (!cap || Number(cap[1]) < 1 || Number(cap[2]) < 60 || Number(cap[2]) > 366 * 86_400)
  ) {
    problems.push(
      `${key("frequencyCap")}="${frequencyCap}" must be none or <sends>/<seconds>, at least 1 send over 60 to 31622400 seconds (e.g. 3/604800: 3 sends in 7 days)`,
    );
  }
  // ---- end send rules ----

  const config: StackConfig = {
    project: context.project,
    environment,
    region,
    phoneNumber: {
      type: phoneType,
      isoCountryCode,
      ...(str("importPhoneNumberId") ? { importId: str("importPhoneNumberId") as string } : {}),
      ...(registrationId ? { registrationId } : {}),
      selfManagedOptOuts: bool("selfManagedOptOuts", defaults.selfManagedOptOuts),
      maxPartsPerSecond: numberPartsPerSecond,
    },
    smsMonthlyBudgetUsd: budget,
    domainName,
    certificateArn,
    hostedZoneId,
    alarmEmail,
    ...(image ? { image } : {}),
    service: { cpu, memory, desiredCount, minCount, maxCount },
    logRetentionDays: retention("logRetentionDays", defaults.logRetentionDays),
    auditLogRetentionDays: retention("auditLogRetentionDays", defaults.auditLogRetentionDays),
    deletionProtection: bool("deletionProtection", defaults.deletionProtection),
    network,
    ingressCidrs,
    wafRateLimit: int("wafRateLimit", defaults.wafRateLimit, 10, 2_000_000_000),
    createCloudTrail: bool("createCloudTrail", defaults.createCloudTrail),
    conversationTtlDays: int("conversationTtlDays", defaults.conversationTtlDays, 1, 3650),
    backupRetentionDays,
    holdsPatientData,
    ...(trailReplicaRegion ? { trailReplicaRegion } : {}),
    secretRotationDays: int("secretRotationDays", defaults.secretRotationDays, 1, 365),
    sendRules: {
      requireConsent: bool("requireConsent", defaults.requireConsent),
      quietHours,
      frequencyCap,
    },
    expectedMonthlyParts: {
      outbound: int("expectedMonthlyPartsOut", defaults.expectedMonthlyPartsOut, 0, 1_000_000_000),
      inbound: int("expectedMonthlyPartsIn", defaults.expectedMonthlyPartsIn, 0, 1_000_000_000),
    },
  };
  if (problems.length > 0) throw new StackConfigError(problems);
  return config;
}
