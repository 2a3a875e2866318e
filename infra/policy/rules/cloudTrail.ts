/** The CloudTrail trail (prod). */
import { resourcePolicy, type HipaaPolicy, type PeerRuleNote, str } from "../policyKit";

export const cloudTrailPolicies: HipaaPolicy[] = [
  resourcePolicy({
    name: "cloudtrail-trail-secure",
    control: "V2",
    sources: [
      "HIPAA.Security-CloudTrailEncryptionEnabled",
      "HIPAA.Security-CloudTrailLogFileValidationEnabled",
      "HIPAA.Security-CloudTrailCloudWatchLogsEnabled",
      "CKV_AWS_35",
      "CKV_AWS_36",
      "CKV_AWS_67",
      "CKV2_AWS_10",
    ],
    description: "Trails are multi-region, validated, KMS-encrypted and sent to CloudWatch Logs",
    enforcementLevel: "mandatory",
    remediation: "keep the AuditLogs trail settings (config createCloudTrail)",
    types: ["aws:cloudtrail/trail:Trail"],
    check: (p) => [
      ...(p.isMultiRegionTrail === true ? [] : ["the trail covers one region"]),
      ...(p.enableLogFileValidation === true ? [] : ["log file validation is off"]),
      ...(str(p.kmsKeyId) ? [] : ["the trail is not KMS-encrypted"]),
      ...(str(p.cloudWatchLogsGroupArn) ? [] : ["the trail does not reach CloudWatch Logs"]),
    ],
  }),
];

export const cloudTrailNotes: PeerRuleNote[] = [
  {
    rule: "CKV_AWS_251",
    status: "unguarded",
    reason:
      "the trail logs (enableLogging is left at its default, true); no policy would catch it switched off",
  },
  {
    rule: "CKV_AWS_252",
    status: "waived",
    reason:
      "the trail sends to CloudWatch Logs, where alarms act on it; a topic per log file delivered adds noise, not oversight",
  },
];
