import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { secureDefaults } from "../secureDefaults";
import type { AwsContext } from "./awsContext";
import { LogBucket } from "./logBucket";
import { createServiceRole } from "./serviceRole";

export interface BucketReplicaArgs {
  context: AwsContext;
  /** The bucket to copy, versioned and encrypted with `sourceKeyArn` (SSE-KMS). */
  source: aws.s3.Bucket;
  sourceKeyArn: pulumi.Input<string>;
  /** Waited on before replication is configured: S3 refuses it on an unversioned bucket. */
  sourceVersioning: pulumi.Resource;
  /** The second region, e.g. us-west-2; must differ from the stack's region. */
  region: string;
  expireAfterDays: number;
  forceDestroy: boolean;
}

/**
 * A copy of a log bucket in a second region (V2, contingency plan 164.308(a)(7)): a provider for
 * that region, a CMK there, a replica bucket under it, and a role S3 assumes that may read only
 * the source's object versions and write only replicas into the copy.
 *
 * The role's permissions follow AWS's "Replicating encrypted objects" page
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-config-for-kms-objects.html):
 * SSE-KMS objects replicate only when the rule opts in (`sseKmsEncryptedObjects`) and names the
 * destination key (`replicaKmsKeyId`); the role needs kms:Decrypt on the source key and
 * kms:Encrypt on the destination key, each limited by kms:ViaService to S3 in that key's region
 * and by the S3 encryption context. With S3 Bucket Keys the encryption context is the bucket's
 * ARN, without them the object's: both are allowed.
 */
export class BucketReplica extends pulumi.ComponentResource {
  readonly replica: LogBucket;
  readonly key: aws.kms.Key;
  readonly role: aws.iam.Role;
  readonly replication: aws.s3.BucketReplicationConfig;

  constructor(name: string, args: BucketReplicaArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("eum-sms:audit:BucketReplica", name, {}, opts);
    const { tags, accountId, partition, region: homeRegion } = args.context;
    if (args.region === homeRegion) {
      throw new Error(
        `the replica region ${args.region} is the stack's own region: a copy there survives no regional outage`,
      );
    }
    const provider = new aws.Provider(
      `${name}-provider`,
      { region: args.region as aws.Region },
      { parent: this },
    );
    const there = { parent: this, provider };
    this.key = new aws.kms.Key(
      `${name}-key`,
      {
        description: `${args.context.namePrefix} logs replica in ${args.region}`,
        enableKeyRotation: secureDefaults.kmsKeyRotation,
        deletionWindowInDays: secureDefaults.kmsDeletionWindowDays,
        bypassPolicyLockoutSafetyCheck: false,
        keyUsage: "ENCRYPT_DECRYPT",
        customerMasterKeySpec: "SYMMETRIC_DEFAULT",
        // The account root only: the replication role's IAM policy is what grants Encrypt.
        policy: aws.iam.getPolicyDocumentOutput({
          statements: [
            {
              sid: "AccountAdministersTheKey",
              principals: [
                {
                  type: "AWS",
                  identifiers: [pulumi.interpolate`arn:${partition}:iam::${accountId}:root`],
                },
              ],
              actions: ["kms:*"],
              resources: ["*"],
            },
          ],
        }).json,
        tags,
      },
      there,
    );
    this.replica = new LogBucket(
      `${name}-bucket`,
      {
        kmsKeyArn: this.key.arn,
        forceDestroy: args.forceDestroy,
        expireAfterDays: args.expireAfterDays,
        tags,
        // Nothing writes here but replication, which needs no bucket-policy grant in one account.
        writers: () => [],
      },
      { parent: this, providers: { aws: provider } },
    );
    const source = args.source.arn;
    const dest = this.replica.bucket.arn;
    const s3Via = (region: pulumi.Input<string>) => ({
      test: "StringEquals",
      variable: "kms:ViaService",
      values: [pulumi.interpolate`s3.${region}.amazonaws.com`],
    });
    const s3Context = (bucketArn: pulumi.Output<string>) => ({
      test: "StringLike",
      variable: "kms:EncryptionContext:aws:s3:arn",
      values: [bucketArn, pulumi.interpolate`${bucketArn}/*`],
    });
    this.role = createServiceRole(
      {
        name: `${name}-replication`,
        policyName: `${name}-replication`,
        description: "S3 copies the log bucket to its replica in a second region",
        service: "s3.amazonaws.com",
        accountId,
        extraTrustConditions: [{ test: "ArnLike", variable: "aws:SourceArn", values: [source] }],
        statements: [
          { actions: ["s3:GetReplicationConfiguration", "s3:ListBucket"], resources: [source] },
          {
            actions: [
              "s3:GetObjectVersionForReplication",
              "s3:GetObjectVersionAcl",
              "s3:GetObjectVersionTagging",
            ],
            resources: [pulumi.interpolate`${source}/*`],
          },
          {
            actions: ["s3:ReplicateObject", "s3:ReplicateTags"],
            resources: [pulumi.interpolate`${dest}/*`],
          },
          {
            actions: ["kms:Decrypt"],
            resources: [args.sourceKeyArn],
            conditions: [s3Via(homeRegion), s3Context(source)],
          },
          {
            actions: ["kms:Encrypt"],
            resources: [this.key.arn],
            conditions: [s3Via(args.region), s3Context(dest)],
          },
        ],
        tags,
      },
      { parent: this },
    );
    this.replication = new aws.s3.BucketReplicationConfig(
      `${name}-replication`,
      {
        bucket: args.source.id,
        role: this.role.arn,
        rules: [
          {
            id: "copy-to-second-region",
            status: "Enabled",
            filter: { prefix: "" },
            // A delete in the source is not copied: the replica is the record that survives it.
            deleteMarkerReplication: { status: "Disabled" },
            sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
            destination: {
              bucket: dest,
              encryptionConfiguration: { replicaKmsKeyId: this.key.arn },
            },
          },
        ],
      },
      { parent: this, dependsOn: [args.sourceVersioning, this.replica.versioning] },
    );
    this.registerOutputs({ replicaBucket: this.replica.bucket.id });
  }
}
