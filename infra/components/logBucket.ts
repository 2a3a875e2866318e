import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { denyInsecureTransport } from "./policyStatements";

/** Days after which S3 aborts a multipart upload that never completed, and deletes its parts. */
export const INCOMPLETE_UPLOAD_ABORT_DAYS = 7;

export interface LogBucketArgs {
  /** A KMS key, or SSE-S3 where the writer supports no KMS key (ALB access logs). */
  kmsKeyArn?: pulumi.Input<string>;
  /** Who may write: statements added after the TLS-only deny; `bucketArn` is this bucket's. */
  writers: (
    bucketArn: pulumi.Output<string>,
  ) => aws.types.input.iam.GetPolicyDocumentStatementArgs[];
  expireAfterDays?: number;
  forceDestroy: boolean;
  tags: Record<string, string>;
}

/**
 * A bucket for logs that AWS services write (A3, V2): owner-enforced, never public, versioned,
 * encrypted by default, reachable only over TLS, optionally expiring old objects.
 */
export class LogBucket extends pulumi.ComponentResource {
  readonly bucket: aws.s3.Bucket;
  readonly policy: aws.s3.BucketPolicy;
  readonly versioning: aws.s3.BucketVersioning;

  constructor(name: string, args: LogBucketArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("eum-sms:audit:LogBucket", name, {}, opts);
    const parent = { parent: this };
    this.bucket = new aws.s3.Bucket(
      name,
      { forceDestroy: args.forceDestroy, tags: args.tags },
      parent,
    );
    const bucket = this.bucket.id;
    new aws.s3.BucketOwnershipControls(
      `${name}-ownership`,
      { bucket, rule: { objectOwnership: "BucketOwnerEnforced" } },
      parent,
    );
    new aws.s3.BucketPublicAccessBlock(
      `${name}-pab`,
      {
        bucket,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      parent,
    );
    this.versioning = new aws.s3.BucketVersioning(
      `${name}-versioning`,
      { bucket, versioningConfiguration: { status: "Enabled" } },
      parent,
    );
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-sse`,
      {
        bucket,
        rules: [
          args.kmsKeyArn
            ? {
                applyServerSideEncryptionByDefault: {
                  sseAlgorithm: "aws:kms",
                  kmsMasterKeyId: args.kmsKeyArn,
                },
                bucketKeyEnabled: true,
              }
            : { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
        ],
      },
      parent,
    );
    if (args.expireAfterDays !== undefined) {
      new aws.s3.BucketLifecycleConfiguration(
        `${name}-lifecycle`,
        {
          bucket,
          rules: [
            {
              id: "expire-logs",
              status: "Enabled",
              filter: { prefix: "" },
              expiration: { days: args.expireAfterDays },
              noncurrentVersionExpiration: { noncurrentDays: 30 },
              // A failed upload leaves parts that are billed and never listed (CKV_AWS_300).
              abortIncompleteMultipartUpload: {
                daysAfterInitiation: INCOMPLETE_UPLOAD_ABORT_DAYS,
              },
            },
          ],
        },
        parent,
      );
    }
    const arn = this.bucket.arn;
    this.policy = new aws.s3.BucketPolicy(
      `${name}-policy`,
      {
        bucket,
        policy: aws.iam.getPolicyDocumentOutput({
          statements: [
            denyInsecureTransport(["s3:*"], [arn, pulumi.interpolate`${arn}/*`]),
            ...args.writers(arn),
          ],
        }).json,
      },
      parent,
    );
    this.registerOutputs({ bucketName: this.bucket.id });
  }
}
