/** S3 buckets (the load balancer's and the trail's logs). */
import {
  deniesInsecureTransport,
  refersTo,
  stackPolicy,
  statements,
  type HipaaPolicy,
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
      "HIPAA.Security-S3DefaultEncryptionKMS",
      "CKV_AWS_145",
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
