/** The DynamoDB conversation table. */
import {
  asList,
  isProd,
  resourcePolicy,
  stackPolicy,
  type HipaaPolicy,
  type PeerRuleNote,
  str,
  type Props,
  tags,
} from "../policyKit";

export const dynamoDbPolicies: HipaaPolicy[] = [
  resourcePolicy({
    name: "dynamodb-table-protected",
    control: "D1",
    sources: [
      "HIPAA.Security-DynamoDBPITREnabled",
      "awsguard dynamodb-table-encryption-enabled",
      "CKV_AWS_28",
      "CKV_AWS_119",
    ],
    description:
      "Tables use a customer-managed key, point-in-time recovery and TTL; production tables have deletion protection",
    enforcementLevel: "mandatory",
    remediation: "keep the ConversationTable settings; set deletionProtection: true in prod",
    types: ["aws:dynamodb/table:Table"],
    check: (p) => {
      const sse = (p.serverSideEncryption as Props | undefined) ?? {};
      return [
        ...(sse.enabled === true && str(sse.kmsKeyArn)
          ? []
          : ["the table is not encrypted with a CMK"]),
        ...((p.pointInTimeRecovery as Props | undefined)?.enabled === true
          ? []
          : ["point-in-time recovery is off"]),
        ...((p.ttl as Props | undefined)?.enabled === true
          ? []
          : ["TTL is off: conversation PHI is kept forever"]),
        ...(isProd(p) && p.deletionProtectionEnabled !== true
          ? ["a production table can be deleted"]
          : []),
      ];
    },
  }),
  stackPolicy({
    name: "dynamodb-in-backup-plan",
    control: "D1",
    sources: ["HIPAA.Security-DynamoDBInBackupPlan"],
    description:
      "Tables that can hold real patients' data are in an AWS Backup plan, beyond point-in-time recovery's 35 days; only a table tagged PatientData=simulated (a simulator number) may go without",
    enforcementLevel: "mandatory",
    remediation:
      "keep backupRetentionDays above 0 (config; the default for a real number): the ConversationTable then selects the table in its daily AWS Backup plan",
    check: (resources) => {
      const selections = resources.filter((r) => r.type === "aws:backup/selection:Selection");
      return (
        resources
          .filter((r) => r.type === "aws:dynamodb/table:Table")
          // Decided by the number type, not the stack name (stackConfig holdsPatientData).
          .filter((table) => tags(table.props).PatientData !== "simulated")
          .filter(
            (table) =>
              !selections.some((sel) =>
                asList(sel.props.resources as string[]).includes(String(table.props.arn)),
              ),
          )
          .map((table) => ({ message: `table ${table.name} is in no backup plan`, urn: table.urn }))
      );
    },
  }),
];

export const dynamoDbNotes: PeerRuleNote[] = [
  {
    rule: "HIPAA.Security-DynamoDBAutoScalingEnabled",
    status: "not-applicable",
    reason:
      "the table is on demand (billingMode PAY_PER_REQUEST); autoscaling is for provisioned capacity",
  },
  {
    rule: "CKV2_AWS_16",
    status: "not-applicable",
    reason:
      "the table is on demand (billingMode PAY_PER_REQUEST); autoscaling is for provisioned capacity",
  },
  {
    rule: "CKV_AWS_166",
    status: "unguarded",
    reason:
      "the backup vault is encrypted with the data key (ConversationTable); no policy checks the vault's key",
  },
];
