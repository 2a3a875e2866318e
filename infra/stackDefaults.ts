import type { Environment, PhoneNumberType } from "./stackConfig";

/**
 * What a stack gets for a setting its Pulumi.<stack>.yaml leaves out, in one table (as
 * aws-solutions-constructs keeps `*-defaults.ts`): the settings that differ by environment, then
 * those that do not. `loadStackConfig` reads defaults only from here. A new setting with a
 * default goes in one of these two tables.
 */
export interface EnvironmentDefaults {
  desiredCount: number;
  /** maxCount defaults to the larger of desiredCount and this. */
  maxCountAtLeast: number;
  logRetentionDays: number;
  /** Audit events: HIPAA's six years (2192 days) in prod. */
  auditLogRetentionDays: number;
  deletionProtection: boolean;
  /** Interface endpoints for the AWS APIs in a created VPC. */
  vpcEndpoints: boolean;
  /**
   * Days AWS Backup keeps the table's daily backups in a stack that can hold patients' data
   * (`holdsPatientData`, true for a real number); a stack that cannot has no backup plan.
   */
  backupRetentionDays: number;
  /** Refuse a send to a patient without recorded consent (REQUIRE_CONSENT, issue 12). */
  requireConsent: boolean;
  /** Sends per patient over a rolling window, `N/<seconds>`, or `none` (FREQUENCY_CAP). */
  frequencyCap: string;
}

export const ENVIRONMENT_DEFAULTS: Readonly<Record<Environment, EnvironmentDefaults>> = {
  dev: {
    desiredCount: 1,
    maxCountAtLeast: 2,
    logRetentionDays: 7,
    auditLogRetentionDays: 30,
    deletionProtection: false,
    vpcEndpoints: false,
    backupRetentionDays: 35,
    requireConsent: false,
    frequencyCap: "none",
  },
  staging: {
    desiredCount: 1,
    maxCountAtLeast: 2,
    logRetentionDays: 90,
    auditLogRetentionDays: 365,
    deletionProtection: true,
    vpcEndpoints: false,
    backupRetentionDays: 35,
    requireConsent: false,
    frequencyCap: "none",
  },
  prod: {
    desiredCount: 2,
    maxCountAtLeast: 6,
    logRetentionDays: 365,
    auditLogRetentionDays: 2192,
    deletionProtection: true,
    vpcEndpoints: true,
    backupRetentionDays: 365,
    requireConsent: true,
    frequencyCap: "3/604800",
  },
};

/** Defaults every environment shares. */
export const COMMON_DEFAULTS = {
  phoneNumberType: "SIMULATOR" as PhoneNumberType,
  phoneNumberCountry: "US",
  selfManagedOptOuts: false,
  /** Fargate's smallest task. */
  cpu: 256,
  memory: 512,
  vpcCidr: "10.40.0.0/16",
  natGateway: true,
  ingressCidrs: ["0.0.0.0/0"],
  smsMonthlyBudgetUsd: 100,
  /** Requests per source address per five minutes before the WAF answers 429. */
  wafRateLimit: 1000,
  createCloudTrail: false,
  conversationTtlDays: 90,
  /** Days between rotations of the agent token and the EventBridge connection's key. */
  secretRotationDays: 30,
  /** The allowed sending window, recipient-local (QUIET_HOURS): US quiet-hours practice. */
  quietHours: "08:00-21:00",
  expectedMonthlyPartsOut: 10_000,
  expectedMonthlyPartsIn: 5_000,
} as const;

/** Parts per second a new number of each type may send until AWS raises it. */
export const MPS_BY_TYPE: Readonly<Record<PhoneNumberType, number>> = {
  SIMULATOR: 1,
  TOLL_FREE: 3,
  TEN_DLC: 1,
};
