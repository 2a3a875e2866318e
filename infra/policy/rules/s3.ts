/** S3 buckets (the load balancer's and the trail's logs). */
import {
  deniesInsecureTransport,
  refersTo,
  stackPolicy,
  statements,
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
];

const ALB_LOGS_SSE_S3 =
  "the CloudTrail bucket is encrypted with the logs key; the load balancer's log bucket uses SSE-S3 (AES256) because ALB access logging can only write to SSE-S3 buckets. buckets-locked-down checks that every bucket has default encryption, not which kind";

export const s3Notes: PeerRuleNote[] = [
  { rule: "HIPAA.Security-S3DefaultEncryptionKMS", status: "waived", reason: ALB_LOGS_SSE_S3 },
  { rule: "CKV_AWS_145", status: "waived", reason: ALB_LOGS_SSE_S3 },
  {
    rule: "HIPAA.Security-S3BucketLoggingEnabled",
    status: "open",
    reason:
      "the log buckets have no server access logging; issue 14 item 2 adds it to the CloudTrail bucket",
  },
  {
    rule: "CKV_AWS_18",
    status: "open",
    reason:
      "the log buckets have no server access logging; issue 14 item 2 adds it to the CloudTrail bucket",
  },
  {
    rule: "HIPAA.Security-S3BucketReplicationEnabled",
    status: "open",
    reason:
      "no bucket has a copy in a second region; issue 14 item 2 adds replication of the CloudTrail bucket behind a stack setting prod turns on",
  },
  {
    rule: "CKV_AWS_144",
    status: "open",
    reason:
      "no bucket has a copy in a second region; issue 14 item 2 adds replication of the CloudTrail bucket behind a stack setting prod turns on",
  },
  {
    rule: "CKV2_AWS_61",
    status: "open",
    reason:
      "the load balancer's log bucket has a lifecycle rule; the CloudTrail bucket has none yet (issue 14 item 2)",
  },
  {
    rule: "CKV_AWS_300",
    status: "open",
    reason: "the lifecycle rules do not abort incomplete multipart uploads (issue 14 item 3)",
  },
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
