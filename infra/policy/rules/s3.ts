/** S3 buckets (the load balancer's and the trail's logs). */
import type { PolicyResource } from "@pulumi/policy";
import {
  deniesInsecureTransport,
  isProd,
  refersTo,
  stackPolicy,
  statements,
  str,
  type HipaaPolicy,
  type PeerRuleNote,
  type Props,
} from "../policyKit";

export const s3Policies: HipaaPolicy[] = [
  stackPolicy({
    name: "buckets-locked-down",
    control: "A3",
    sources: [
      "HIPAA.Security-S3BucketLevelPublicAccessProhibited",
      "HIPAA.Security-S3BucketSSLRequestsOnly",
      "HIPAA.Security-S3BucketVersioningEnabled",
      "HIPAA.Security-S3BucketPublicReadProhibited",
      "HIPAA.Security-S3BucketPublicWriteProhibited",
      "CKV_AWS_19",
      "CKV_AWS_20",
      "CKV_AWS_21",
      "CKV_AWS_53",
      "CKV_AWS_54",
      "CKV_AWS_55",
      "CKV_AWS_56",
      "CKV_AWS_57",
      "CKV2_AWS_6",
    ],
    description:
      "Every bucket blocks public access, is versioned, encrypted by default and reachable only over TLS",
    enforcementLevel: "mandatory",
    remediation: "create log buckets with the LogBucket component",
    check: (resources) => {
      const with_ = (type: string) => resources.filter((r) => r.type === type);
      const out: { message: string; urn: string }[] = [];
      for (const bucket of with_("aws:s3/bucket:Bucket")) {
        const about = (type: string) => with_(type).filter((r) => refersTo(r, "bucket", bucket));
        const pab = about("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")[0]?.props;
        if (
          !pab ||
          ![
            "blockPublicAcls",
            "blockPublicPolicy",
            "ignorePublicAcls",
            "restrictPublicBuckets",
          ].every((k) => pab[k] === true)
        ) {
          out.push({
            message: `bucket ${bucket.name} does not block all public access`,
            urn: bucket.urn,
          });
        }
        if (
          (
            about("aws:s3/bucketVersioning:BucketVersioning")[0]?.props.versioningConfiguration as
              Props | undefined
          )?.status !== "Enabled"
        ) {
          out.push({ message: `bucket ${bucket.name} is not versioned`, urn: bucket.urn });
        }
        if (
          about(
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
          ).length === 0
        ) {
          out.push({ message: `bucket ${bucket.name} has no default encryption`, urn: bucket.urn });
        }
        const policy = about("aws:s3/bucketPolicy:BucketPolicy")[0];
        if (!policy || !deniesInsecureTransport(statements(policy.props.policy))) {
          out.push({ message: `bucket ${bucket.name} accepts non-TLS requests`, urn: bucket.urn });
        }
      }
      return out;
    },
  }),
  stackPolicy({
    name: "buckets-lifecycle-abort-uploads",
    control: "A3",
    sources: ["CKV2_AWS_61", "CKV_AWS_300"],
    description:
      "Every bucket has a lifecycle configuration, and every rule aborts incomplete multipart uploads",
    enforcementLevel: "mandatory",
    remediation:
      "create buckets with the LogBucket component and expireAfterDays (its rule aborts incomplete uploads after INCOMPLETE_UPLOAD_ABORT_DAYS)",
    check: (resources) => {
      const lifecycles = resources.filter(
        (r) => r.type === "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
      );
      return resources
        .filter((r) => r.type === "aws:s3/bucket:Bucket")
        .flatMap((bucket) => {
          const mine = lifecycles.filter((l) => refersTo(l, "bucket", bucket));
          if (mine.length === 0)
            return [{ message: `bucket ${bucket.name} has no lifecycle rule`, urn: bucket.urn }];
          const rules = mine.flatMap((l) => (l.props.rules as Props[] | undefined) ?? []);
          return rules
            .filter(
              (rule) =>
                !(
                  Number(
                    (rule.abortIncompleteMultipartUpload as Props | undefined)?.daysAfterInitiation,
                  ) > 0
                ),
            )
            .map((rule) => ({
              message: `lifecycle rule ${str(rule.id) || "(unnamed)"} of bucket ${bucket.name} does not abort incomplete multipart uploads`,
              urn: bucket.urn,
            }));
        });
    },
  }),
  stackPolicy({
    name: "trail-bucket-logged-and-replicated",
    control: "V2",
    sources: [
      "HIPAA.Security-S3BucketLoggingEnabled",
      "CKV_AWS_18",
      "HIPAA.Security-S3BucketReplicationEnabled",
      "CKV_AWS_144",
    ],
    description:
      "The bucket a CloudTrail trail writes to has server access logging to another bucket; in prod it is also replicated, under a CMK, to a second region. The other buckets are log sinks of AWS delivery services (load balancer, server access logs) and carry no audit records of their own",
    enforcementLevel: "mandatory",
    remediation:
      "keep the AuditLogs trail bucket's BucketLogging; in prod set trailReplicaRegion (config) so BucketReplica copies it",
    check: (resources) => {
      const of = (type: string, bucket: PolicyResource) =>
        resources.filter((r) => r.type === type && refersTo(r, "bucket", bucket));
      const out: { message: string; urn: string }[] = [];
      for (const trail of resources.filter((r) => r.type === "aws:cloudtrail/trail:Trail")) {
        const bucket = resources.find(
          (r) => r.type === "aws:s3/bucket:Bucket" && refersTo(trail, "s3BucketName", r),
        );
        if (!bucket) continue;
        const logging = of("aws:s3/bucketLogging:BucketLogging", bucket)[0];
        if (!logging || refersTo(logging, "targetBucket", bucket)) {
          out.push({
            message: `trail bucket ${bucket.name} has no server access logging to another bucket`,
            urn: bucket.urn,
          });
        }
        if (!isProd(trail.props)) continue;
        const rules = of("aws:s3/bucketReplicationConfig:BucketReplicationConfig", bucket).flatMap(
          (c) => (c.props.rules as Props[] | undefined) ?? [],
        );
        const copies = rules.some(
          (rule) =>
            rule.status === "Enabled" &&
            str(
              (
                (rule.destination as Props | undefined)?.encryptionConfiguration as
                  Props | undefined
              )?.replicaKmsKeyId,
            ) !== "",
        );
        if (!copies) {
          out.push({
            message: `production trail bucket ${bucket.name} has no copy in a second region under a CMK`,
            urn: bucket.urn,
          });
        }
      }
      return out;
    },
  }),
];

const ALB_LOGS_SSE_S3 =
  "the CloudTrail bucket is encrypted with the logs key; the load balancer's log bucket uses SSE-S3 (AES256) because ALB access logging can only write to SSE-S3 buckets. buckets-locked-down checks that every bucket has default encryption, not which kind";

export const s3Notes: PeerRuleNote[] = [
  { rule: "HIPAA.Security-S3DefaultEncryptionKMS", status: "waived", reason: ALB_LOGS_SSE_S3 },
  { rule: "CKV_AWS_145", status: "waived", reason: ALB_LOGS_SSE_S3 },
  {
    rule: "CKV_AWS_143",
    status: "open",
    reason:
      "no object lock: log objects are versioned, private and TLS-only, but can be deleted by an administrator; decide with the records-retention policy",
  },
  {
    rule: "CKV2_AWS_62",
    status: "waived",
    reason:
      "nothing consumes object events of a log bucket: the access logs and the trail are themselves the record",
  },
  {
    rule: "CKV_AWS_70",
    status: "unguarded",
    reason:
      "the bucket policies allow only the log-delivery service principals (LogBucket), and use '*' only to deny non-TLS requests; no policy checks the Allow statements' principals",
  },
  {
    rule: "CKV_AWS_93",
    status: "unguarded",
    reason:
      "the bucket policies' only Deny is for non-TLS requests, which locks out no one; no policy checks it",
  },
];
