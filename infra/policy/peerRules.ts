/**
 * The peers' rule sets, as data, for the evidence table: every cdk-nag HIPAA.Security rule and every
 * Checkov AWS check whose resource kind this program can declare. Ids, names and the 45 CFR
 * citations are those of the sources below; the Pulumi resource kinds are ours (the resource each
 * rule inspects, as @pulumi/aws names it). No code of theirs is copied: only what a rule is called,
 * what it looks at and what it cites.
 *
 * Rules for kinds this program never declares (RDS, Lambda, EC2 instances, IAM users and groups, …)
 * are left out: they apply to no stack of ours.
 */

export const PEER_SOURCES = {
  cdkNag: {
    repository: "https://github.com/cdklabs/cdk-nag",
    commit: "ca6d1b54e1cf1c2e3c29d731e066f6d5ded710b5",
    path: "src/packs/hipaa-security.ts (rule names, levels and the Control IDs in each rule's info)",
  },
  checkov: {
    repository: "https://github.com/bridgecrewio/checkov",
    commit: "03d5fdad8d6154b1565799a7b1fb8070c158866f",
    path: "checkov/terraform/checks/resource/aws/*.py and checkov/terraform/checks/graph_checks/aws/*.yaml (id, name, supported_resources / resource_types)",
  },
} as const;

export type Framework = "cdk-nag HIPAA.Security" | "Checkov";

export interface PeerRule {
  framework: Framework;
  /** As our policies' `sources` name it: `HIPAA.Security-<Rule>` or `CKV_AWS_<n>` / `CKV2_AWS_<n>`. */
  id: string;
  title: string;
  /** 45 CFR citations the rule gives (cdk-nag); Checkov OSS maps none. */
  cfr: string[];
  /** The Pulumi resource kinds the rule inspects; it applies to a stack that has one of them. */
  kinds: string[];
}

/** Terraform resource type → the @pulumi/aws type of the same resource. */
export const PULUMI_KIND_OF: Record<string, string> = {
  aws_backup_vault: "aws:backup/vault:Vault",
  aws_cloudtrail: "aws:cloudtrail/trail:Trail",
  aws_cloudwatch_log_group: "aws:cloudwatch/logGroup:LogGroup",
  aws_cloudwatch_metric_alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  aws_dynamodb_table: "aws:dynamodb/table:Table",
  aws_ecr_repository: "aws:ecr/repository:Repository",
  aws_ecs_cluster: "aws:ecs/cluster:Cluster",
  aws_ecs_service: "aws:ecs/service:Service",
  aws_ecs_task_definition: "aws:ecs/taskDefinition:TaskDefinition",
  aws_eip: "aws:ec2/eip:Eip",
  aws_iam_policy: "aws:iam/policy:Policy",
  aws_iam_role: "aws:iam/role:Role",
  aws_iam_role_policy_attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  aws_kms_key: "aws:kms/key:Key",
  aws_lb: "aws:lb/loadBalancer:LoadBalancer",
  aws_lb_listener: "aws:lb/listener:Listener",
  aws_lb_target_group: "aws:lb/targetGroup:TargetGroup",
  aws_route53_record: "aws:route53/record:Record",
  aws_s3_bucket: "aws:s3/bucket:Bucket",
  aws_s3_bucket_lifecycle_configuration:
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  aws_s3_bucket_policy: "aws:s3/bucketPolicy:BucketPolicy",
  aws_s3_bucket_public_access_block: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  aws_secretsmanager_secret: "aws:secretsmanager/secret:Secret",
  aws_security_group: "aws:ec2/securityGroup:SecurityGroup",
  aws_sns_topic: "aws:sns/topic:Topic",
  aws_sns_topic_policy: "aws:sns/topicPolicy:TopicPolicy",
  aws_sqs_queue: "aws:sqs/queue:Queue",
  aws_sqs_queue_policy: "aws:sqs/queuePolicy:QueuePolicy",
  aws_subnet: "aws:ec2/subnet:Subnet",
  aws_vpc: "aws:ec2/vpc:Vpc",
  aws_vpc_security_group_egress_rule: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
  aws_vpc_security_group_ingress_rule: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  aws_wafv2_web_acl: "aws:wafv2/webAcl:WebAcl",
};

// cdk-nag's citations, grouped as its rules repeat them.
const ENCRYPTION = ["164.312(a)(2)(iv)", "164.312(e)(2)(ii)"];
const TRANSPORT = ["164.312(a)(2)(iv)", "164.312(e)(1)", "164.312(e)(2)(i)", "164.312(e)(2)(ii)"];
const BACKUP = ["164.308(a)(7)(i)", "164.308(a)(7)(ii)(A)", "164.308(a)(7)(ii)(B)"];
const AVAILABILITY = ["164.308(a)(7)(i)", "164.308(a)(7)(ii)(C)"];
const PUBLIC_ACCESS = [
  "164.308(a)(3)(i)",
  "164.308(a)(4)(ii)(A)",
  "164.308(a)(4)(ii)(C)",
  "164.312(a)(1)",
  "164.312(e)(1)",
];
const IAM = [
  "164.308(a)(3)(i)",
  "164.308(a)(3)(ii)(A)",
  "164.308(a)(3)(ii)(B)",
  "164.308(a)(4)(i)",
  "164.308(a)(4)(ii)(A)",
  "164.308(a)(4)(ii)(B)",
  "164.308(a)(4)(ii)(C)",
  "164.312(a)(1)",
];
const OPEN_PORTS = [
  "164.308(a)(3)(i)",
  "164.308(a)(3)(ii)(B)",
  "164.308(a)(4)(i)",
  "164.308(a)(4)(ii)(A)",
  "164.308(a)(4)(ii)(B)",
  "164.308(a)(4)(ii)(C)",
  "164.312(a)(1)",
  "164.312(e)(1)",
];

const k = (kind: string) => PULUMI_KIND_OF[kind]!;

const nag = (rule: string, title: string, cfr: string[], kinds: string[]): PeerRule => ({
  framework: "cdk-nag HIPAA.Security",
  id: `HIPAA.Security-${rule}`,
  title,
  cfr,
  kinds: kinds.map(k),
});

export const CDK_NAG_HIPAA_RULES: PeerRule[] = [
  nag(
    "CloudTrailCloudWatchLogsEnabled",
    "The trail sends to CloudWatch Logs",
    ["164.308(a)(3)(ii)(A)", "164.312(b)"],
    ["aws_cloudtrail"],
  ),
  nag("CloudTrailEncryptionEnabled", "The trail is KMS-encrypted", ENCRYPTION, ["aws_cloudtrail"]),
  nag(
    "CloudTrailLogFileValidationEnabled",
    "The trail validates its log files",
    ["164.312(c)(1)", "164.312(c)(2)"],
    ["aws_cloudtrail"],
  ),
  nag(
    "CloudWatchAlarmAction",
    "The alarm has an alarm, OK or INSUFFICIENT_DATA action",
    ["164.312(b)"],
    ["aws_cloudwatch_metric_alarm"],
  ),
  nag("CloudWatchLogGroupEncrypted", "The log group is encrypted with a KMS key", ENCRYPTION, [
    "aws_cloudwatch_log_group",
  ]),
  nag(
    "CloudWatchLogGroupRetentionPeriod",
    "The log group has an explicit retention period",
    ["164.312(b)"],
    ["aws_cloudwatch_log_group"],
  ),
  nag("DynamoDBAutoScalingEnabled", "A provisioned-capacity table autoscales", AVAILABILITY, [
    "aws_dynamodb_table",
  ]),
  nag("DynamoDBInBackupPlan", "The table is in an AWS Backup plan", BACKUP, ["aws_dynamodb_table"]),
  nag("DynamoDBPITREnabled", "The table has point-in-time recovery", BACKUP, [
    "aws_dynamodb_table",
  ]),
  nag(
    "EC2RestrictedCommonPorts",
    "No unrestricted IPv4 ingress on common ports (20, 21, 3389, 3306, 4333)",
    OPEN_PORTS,
    ["aws_security_group", "aws_vpc_security_group_ingress_rule"],
  ),
  nag("EC2RestrictedSSH", "No unrestricted SSH ingress", OPEN_PORTS, [
    "aws_security_group",
    "aws_vpc_security_group_ingress_rule",
  ]),
  nag(
    "ECSTaskDefinitionUserForHostMode",
    "Host-network task definitions run every container as a named non-root user",
    [
      "164.308(a)(3)(i)",
      "164.308(a)(3)(ii)(A)",
      "164.308(a)(4)(ii)(A)",
      "164.308(a)(4)(ii)(C)",
      "164.312(a)(1)",
    ],
    ["aws_ecs_task_definition"],
  ),
  nag("ALBHttpDropInvalidHeaderEnabled", "The ALB drops invalid HTTP headers", TRANSPORT, [
    "aws_lb",
  ]),
  nag("ALBHttpToHttpsRedirection", "The ALB's HTTP listeners redirect to HTTPS", TRANSPORT, [
    "aws_lb_listener",
  ]),
  nag("ELBDeletionProtectionEnabled", "The ALB, NLB or GLB has deletion protection", AVAILABILITY, [
    "aws_lb",
  ]),
  nag("ELBLoggingEnabled", "The load balancer logs access", ["164.312(b)"], ["aws_lb"]),
  nag(
    "ELBv2ACMCertificateRequired",
    "The ALB, NLB or GLB listener uses an ACM certificate",
    ENCRYPTION,
    ["aws_lb_listener"],
  ),
  nag("IAMNoInlinePolicy", "No inline policy on a group, user or role", IAM, ["aws_iam_role"]),
  nag(
    "IAMPolicyNoStatementsWithAdminAccess",
    "No statement allows every action on every resource",
    IAM,
    ["aws_iam_policy", "aws_iam_role"],
  ),
  nag("IAMPolicyNoStatementsWithFullAccess", "No statement allows every action of a service", IAM, [
    "aws_iam_policy",
    "aws_iam_role",
  ]),
  nag(
    "S3BucketLevelPublicAccessProhibited",
    "The bucket blocks public access at bucket level",
    PUBLIC_ACCESS,
    ["aws_s3_bucket"],
  ),
  nag(
    "S3BucketLoggingEnabled",
    "The bucket has server access logging",
    ["164.308(a)(3)(ii)(A)", "164.312(b)"],
    ["aws_s3_bucket"],
  ),
  nag("S3BucketPublicReadProhibited", "The bucket prohibits public read", PUBLIC_ACCESS, [
    "aws_s3_bucket",
  ]),
  nag("S3BucketPublicWriteProhibited", "The bucket prohibits public write", PUBLIC_ACCESS, [
    "aws_s3_bucket",
  ]),
  nag("S3BucketReplicationEnabled", "The bucket replicates", BACKUP, ["aws_s3_bucket"]),
  nag(
    "S3BucketSSLRequestsOnly",
    "The bucket requires TLS",
    [
      "164.312(a)(2)(iv)",
      "164.312(c)(2)",
      "164.312(e)(1)",
      "164.312(e)(2)(i)",
      "164.312(e)(2)(ii)",
    ],
    ["aws_s3_bucket"],
  ),
  nag(
    "S3BucketVersioningEnabled",
    "The bucket is versioned",
    [...BACKUP, "164.312(c)(1)", "164.312(c)(2)"],
    ["aws_s3_bucket"],
  ),
  nag("S3DefaultEncryptionKMS", "The bucket is encrypted with a KMS key by default", ENCRYPTION, [
    "aws_s3_bucket",
  ]),
  nag(
    "SecretsManagerRotationEnabled",
    "The secret has automatic rotation scheduled",
    ["164.308(a)(4)(ii)(B)"],
    ["aws_secretsmanager_secret"],
  ),
  nag(
    "SecretsManagerUsingKMSKey",
    "The secret is encrypted with a customer-managed KMS key",
    ENCRYPTION,
    ["aws_secretsmanager_secret"],
  ),
  nag("SNSEncryptedKMS", "The topic is KMS-encrypted", ENCRYPTION, ["aws_sns_topic"]),
  nag(
    "VPCDefaultSecurityGroupClosed",
    "The VPC's default security group allows no traffic (a warning in cdk-nag)",
    ["164.312(e)(1)"],
    ["aws_vpc"],
  ),
  nag(
    "VPCFlowLogsEnabled",
    "The VPC has a flow log",
    ["164.308(a)(3)(ii)(A)", "164.312(b)"],
    ["aws_vpc"],
  ),
  nag(
    "VPCSubnetAutoAssignPublicIpDisabled",
    "The subnet does not auto-assign public IPs",
    PUBLIC_ACCESS,
    ["aws_subnet"],
  ),
  nag("WAFv2LoggingEnabled", "The web ACL logs", ["164.312(b)"], ["aws_wafv2_web_acl"]),
];

const ck = (id: string, title: string, kinds: string[]): PeerRule => ({
  framework: "Checkov",
  id,
  title,
  cfr: [],
  kinds: kinds.filter((t) => PULUMI_KIND_OF[t]).map(k),
});

const SG_INGRESS = ["aws_security_group", "aws_vpc_security_group_ingress_rule"];
const SG_EGRESS = ["aws_security_group", "aws_vpc_security_group_egress_rule"];

export const CHECKOV_AWS_CHECKS: PeerRule[] = [
  ck("CKV_AWS_2", "Ensure ALB protocol is HTTPS", ["aws_lb_listener"]),
  ck("CKV_AWS_7", "Ensure rotation for customer created CMKs is enabled", ["aws_kms_key"]),
  ck("CKV_AWS_18", "Ensure the S3 bucket has access logging enabled", ["aws_s3_bucket"]),
  ck("CKV_AWS_19", "Ensure all data stored in the S3 bucket is securely encrypted at rest", [
    "aws_s3_bucket",
  ]),
  ck("CKV_AWS_20", "S3 Bucket has an ACL defined which allows public READ access.", [
    "aws_s3_bucket",
  ]),
  ck("CKV_AWS_21", "Ensure all data stored in the S3 bucket have versioning enabled", [
    "aws_s3_bucket",
  ]),
  ck("CKV_AWS_23", "Ensure every security group and rule has a description", [
    "aws_security_group",
  ]),
  ck("CKV_AWS_24", "Ensure no security groups allow ingress from 0.0.0.0:0 to port 22", SG_INGRESS),
  ck(
    "CKV_AWS_25",
    "Ensure no security groups allow ingress from 0.0.0.0:0 to port 3389",
    SG_INGRESS,
  ),
  ck("CKV_AWS_26", "Ensure all data stored in the SNS topic is encrypted", ["aws_sns_topic"]),
  ck("CKV_AWS_27", "Ensure all data stored in the SQS queue is encrypted", ["aws_sqs_queue"]),
  ck("CKV_AWS_28", "Ensure DynamoDB point in time recovery (backup) is enabled", [
    "aws_dynamodb_table",
  ]),
  ck("CKV_AWS_33", "Ensure KMS key policy does not contain wildcard (*) principal", [
    "aws_kms_key",
  ]),
  ck("CKV_AWS_35", "Ensure CloudTrail logs are encrypted at rest using KMS CMKs", [
    "aws_cloudtrail",
  ]),
  ck("CKV_AWS_36", "Ensure CloudTrail log file validation is enabled", ["aws_cloudtrail"]),
  ck("CKV_AWS_51", "Ensure ECR Image Tags are immutable", ["aws_ecr_repository"]),
  ck("CKV_AWS_53", "Ensure S3 bucket has block public ACLS enabled", [
    "aws_s3_bucket_public_access_block",
  ]),
  ck("CKV_AWS_54", "Ensure S3 bucket has block public policy enabled", [
    "aws_s3_bucket_public_access_block",
  ]),
  ck("CKV_AWS_55", "Ensure S3 bucket has ignore public ACLs enabled", [
    "aws_s3_bucket_public_access_block",
  ]),
  ck("CKV_AWS_56", "Ensure S3 bucket has 'restrict_public_buckets' enabled", [
    "aws_s3_bucket_public_access_block",
  ]),
  ck("CKV_AWS_57", "S3 Bucket has an ACL defined which allows public WRITE access.", [
    "aws_s3_bucket",
  ]),
  ck("CKV_AWS_60", "Ensure IAM role allows only specific services or principals to assume it", [
    "aws_iam_role",
  ]),
  ck(
    "CKV_AWS_61",
    "Ensure AWS IAM policy does not allow assume role permission across all services",
    ["aws_iam_role"],
  ),
  ck(
    "CKV_AWS_62",
    'Ensure IAM policies that allow full "*-*" administrative privileges are not created',
    ["aws_iam_policy"],
  ),
  ck("CKV_AWS_63", 'Ensure no IAM policies documents allow "*" as a statement\'s actions', [
    "aws_iam_policy",
  ]),
  ck("CKV_AWS_65", "Ensure container insights are enabled on ECS cluster", ["aws_ecs_cluster"]),
  ck("CKV_AWS_66", "Ensure that CloudWatch Log Group specifies retention days", [
    "aws_cloudwatch_log_group",
  ]),
  ck("CKV_AWS_67", "Ensure CloudTrail is enabled in all Regions", ["aws_cloudtrail"]),
  ck("CKV_AWS_70", "Ensure S3 bucket does not allow an action with any Principal", [
    "aws_s3_bucket",
    "aws_s3_bucket_policy",
  ]),
  ck("CKV_AWS_72", "Ensure SQS policy does not allow ALL (*) actions.", ["aws_sqs_queue_policy"]),
  ck("CKV_AWS_91", "Ensure the ELBv2 (Application/Network) has access logging enabled", ["aws_lb"]),
  ck(
    "CKV_AWS_93",
    "Ensure S3 bucket policy does not lockout all but root user. (Prevent lockouts needing root account fixes)",
    ["aws_s3_bucket", "aws_s3_bucket_policy"],
  ),
  ck(
    "CKV_AWS_97",
    "Ensure Encryption in transit is enabled for EFS volumes in ECS Task definitions",
    ["aws_ecs_task_definition"],
  ),
  ck("CKV_AWS_103", "Ensure that load balancer is using at least TLS 1.2", ["aws_lb_listener"]),
  ck("CKV_AWS_119", "Ensure DynamoDB Tables are encrypted using a KMS Customer Managed CMK", [
    "aws_dynamodb_table",
  ]),
  ck("CKV_AWS_130", "Ensure VPC subnets do not assign public IP by default", ["aws_subnet"]),
  ck("CKV_AWS_131", "Ensure that ALB drops HTTP headers", ["aws_lb"]),
  ck("CKV_AWS_136", "Ensure that ECR repositories are encrypted using KMS", ["aws_ecr_repository"]),
  ck("CKV_AWS_143", "Ensure that S3 bucket has lock configuration enabled by default", [
    "aws_s3_bucket",
  ]),
  ck("CKV_AWS_144", "Ensure that S3 bucket has cross-region replication enabled", [
    "aws_s3_bucket",
  ]),
  ck("CKV_AWS_145", "Ensure that S3 buckets are encrypted with KMS by default", ["aws_s3_bucket"]),
  ck("CKV_AWS_149", "Ensure that Secrets Manager secret is encrypted using KMS CMK", [
    "aws_secretsmanager_secret",
  ]),
  ck("CKV_AWS_150", "Ensure that Load Balancer has deletion protection enabled", ["aws_lb"]),
  ck(
    "CKV_AWS_152",
    "Ensure that Load Balancer (Network/Gateway) has cross-zone load balancing enabled",
    ["aws_lb"],
  ),
  ck("CKV_AWS_158", "Ensure that CloudWatch Log Group is encrypted by KMS", [
    "aws_cloudwatch_log_group",
  ]),
  ck("CKV_AWS_163", "Ensure ECR image scanning on push is enabled", ["aws_ecr_repository"]),
  ck("CKV_AWS_166", "Ensure Backup Vault is encrypted at rest using KMS CMK", ["aws_backup_vault"]),
  ck(
    "CKV_AWS_168",
    "Ensure SQS queue policy is not public by only allowing specific services or principals to access it",
    ["aws_sqs_queue_policy", "aws_sqs_queue"],
  ),
  ck(
    "CKV_AWS_169",
    "Ensure SNS topic policy is not public by only allowing specific services or principals to access it",
    ["aws_sns_topic_policy"],
  ),
  ck("CKV_AWS_175", "Ensure WAF has associated rules", ["aws_wafv2_web_acl"]),
  ck(
    "CKV_AWS_192",
    "Ensure WAF prevents message lookup in Log4j2. See CVE-2021-44228 aka log4jshell",
    ["aws_wafv2_web_acl"],
  ),
  ck("CKV_AWS_223", "Ensure ECS Cluster enables logging of ECS Exec", ["aws_ecs_cluster"]),
  ck(
    "CKV_AWS_224",
    "Ensure ECS Cluster logging is enabled and client to container communication uses CMK",
    ["aws_ecs_cluster"],
  ),
  ck("CKV_AWS_227", "Ensure KMS key is enabled", ["aws_kms_key"]),
  ck(
    "CKV_AWS_249",
    "Ensure that the Execution Role ARN and the Task Role ARN are different in ECS Task definitions",
    ["aws_ecs_task_definition"],
  ),
  ck("CKV_AWS_251", "Ensure CloudTrail logging is enabled", ["aws_cloudtrail"]),
  ck("CKV_AWS_252", "Ensure CloudTrail defines an SNS Topic", ["aws_cloudtrail"]),
  ck(
    "CKV_AWS_260",
    "Ensure no security groups allow ingress from 0.0.0.0:0 to port 80",
    SG_INGRESS,
  ),
  ck("CKV_AWS_261", "Ensure HTTP HTTPS Target group defines Healthcheck", ["aws_lb_target_group"]),
  ck(
    "CKV_AWS_274",
    "Disallow IAM roles, users, and groups from using the AWS AdministratorAccess policy",
    ["aws_iam_role", "aws_iam_role_policy_attachment"],
  ),
  ck(
    "CKV_AWS_277",
    "Ensure no security groups allow ingress from 0.0.0.0:0 to port -1",
    SG_INGRESS,
  ),
  ck("CKV_AWS_286", "Ensure IAM policies does not allow privilege escalation", ["aws_iam_policy"]),
  ck("CKV_AWS_287", "Ensure IAM policies does not allow credentials exposure", ["aws_iam_policy"]),
  ck("CKV_AWS_288", "Ensure IAM policies does not allow data exfiltration", ["aws_iam_policy"]),
  ck(
    "CKV_AWS_289",
    "Ensure IAM policies does not allow permissions management / resource exposure without constraints",
    ["aws_iam_policy"],
  ),
  ck("CKV_AWS_290", "Ensure IAM policies does not allow write access without constraints", [
    "aws_iam_policy",
  ]),
  ck("CKV_AWS_300", "Ensure S3 lifecycle configuration sets period for aborting failed uploads", [
    "aws_s3_bucket_lifecycle_configuration",
  ]),
  ck("CKV_AWS_319", "Ensure that CloudWatch alarm actions are enabled", [
    "aws_cloudwatch_metric_alarm",
  ]),
  ck(
    "CKV_AWS_328",
    "Ensure that ALB is configured with defensive or strictest desync mitigation mode",
    ["aws_lb"],
  ),
  ck("CKV_AWS_332", "Ensure ECS Fargate services run on the latest Fargate platform version", [
    "aws_ecs_service",
  ]),
  ck(
    "CKV_AWS_333",
    "Ensure ECS services do not have public IP addresses assigned to them automatically",
    ["aws_ecs_service"],
  ),
  ck("CKV_AWS_334", "Ensure ECS containers should run as non-privileged", [
    "aws_ecs_task_definition",
  ]),
  ck("CKV_AWS_335", "Ensure ECS task definitions should not share the host", [
    "aws_ecs_task_definition",
  ]),
  ck("CKV_AWS_336", "Ensure ECS containers are limited to read-only access to root filesystems", [
    "aws_ecs_task_definition",
  ]),
  ck("CKV_AWS_338", "Ensure CloudWatch log groups retains logs for at least 1 year", [
    "aws_cloudwatch_log_group",
  ]),
  ck("CKV_AWS_342", "Ensure WAF rule has any actions", ["aws_wafv2_web_acl"]),
  ck(
    "CKV_AWS_355",
    'Ensure no IAM policies documents allow "*" as a statement\'s resource for restrictable actions',
    ["aws_iam_policy"],
  ),
  ck("CKV_AWS_378", "Ensure AWS Load Balancer doesn't use HTTP protocol", [
    "aws_lb_target_group",
    "aws_lb_listener",
  ]),
  ck("CKV_AWS_382", "Ensure no security groups allow egress from 0.0.0.0:0 to port -1", SG_EGRESS),
  ck("CKV_AWS_385", "Ensure AWS SNS topic policies do not allow cross-account access", [
    "aws_sns_topic_policy",
  ]),
  ck("CKV_AWS_387", "Ensure SQS policy does not allow public access through wildcards", [
    "aws_sqs_queue_policy",
  ]),
  ck(
    "CKV_AWS_393",
    "Ensure AWS GitHub Actions OIDC authorization policies only allow safe claims and claim order on IAM role",
    ["aws_iam_role"],
  ),
  ck("CKV2_AWS_5", "Ensure that Security Groups are attached to another resource", [
    "aws_security_group",
  ]),
  ck("CKV2_AWS_6", "Ensure that S3 bucket has a Public Access block", ["aws_s3_bucket"]),
  ck("CKV2_AWS_10", "Ensure CloudTrail trails are integrated with CloudWatch Logs", [
    "aws_cloudtrail",
  ]),
  ck("CKV2_AWS_11", "Ensure VPC flow logging is enabled in all VPCs", ["aws_vpc"]),
  ck("CKV2_AWS_12", "Ensure the default security group of every VPC restricts all traffic", [
    "aws_vpc",
  ]),
  ck("CKV2_AWS_16", "Ensure that Auto Scaling is enabled on your DynamoDB tables", [
    "aws_dynamodb_table",
  ]),
  ck(
    "CKV2_AWS_19",
    "Ensure that all EIP addresses allocated to a VPC are attached to EC2 instances",
    ["aws_eip"],
  ),
  ck("CKV2_AWS_20", "Ensure that ALB redirects HTTP requests into HTTPS ones", ["aws_lb"]),
  ck("CKV2_AWS_23", "Route53 A Record has Attached Resource", ["aws_route53_record"]),
  ck("CKV2_AWS_28", "Ensure public facing ALB are protected by WAF", ["aws_lb"]),
  ck("CKV2_AWS_31", "Ensure WAF2 has a Logging Configuration", ["aws_wafv2_web_acl"]),
  ck("CKV2_AWS_57", "Ensure Secrets Manager secrets should have automatic rotation enabled", [
    "aws_secretsmanager_secret",
  ]),
  ck("CKV2_AWS_61", "Ensure that an S3 bucket has a lifecycle configuration", ["aws_s3_bucket"]),
  ck("CKV2_AWS_62", "Ensure S3 buckets should have event notifications enabled", ["aws_s3_bucket"]),
  ck("CKV2_AWS_64", "Ensure KMS key Policy is defined", ["aws_kms_key"]),
  ck(
    "CKV2_AWS_76",
    "Ensure AWS ALB attached WAFv2 WebACL is configured with AMR for Log4j Vulnerability",
    ["aws_lb"],
  ),
];

export const PEER_RULES: PeerRule[] = [...CDK_NAG_HIPAA_RULES, ...CHECKOV_AWS_CHECKS];
