import { loadStackFile, runStackUnderMocks, type Registered } from "../../infra/review/mockProgram";
import { StackConfigError } from "../../infra/stackConfig";

type Statement = {
  Action?: string[];
  Resource?: string[];
  Condition?: Record<string, Record<string, string[]>>;
};
const statementsOf = (json: unknown): Statement[] =>
  (JSON.parse(String(json)) as { Statement: Statement[] }).Statement;
const ofType = (rs: Registered[], type: string) => rs.filter((r) => r.type === type);
const named = (rs: Registered[], type: string, part: string) => {
  const found = ofType(rs, type).filter((r) => r.name.includes(part));
  if (found.length !== 1) throw new Error(`expected one ${type} *${part}*, got ${found.length}`);
  return found[0]!;
};

describe("issue 14 controls under mocks", () => {
  const stacks: Record<string, Registered[]> = {};
  beforeAll(async () => {
    for (const stack of ["dev", "staging", "prod"])
      stacks[stack] = (await runStackUnderMocks(stack)).resources;
  }, 120_000);

  it.each(["dev", "staging", "prod"])(
    "%s: every bucket has a lifecycle rule that aborts incomplete multipart uploads",
    (stack) => {
      const rs = stacks[stack]!;
      const buckets = ofType(rs, "aws:s3/bucket:Bucket");
      const lifecycles = ofType(
        rs,
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
      );
      expect(lifecycles.map((l) => l.inputs.bucket).sort()).toEqual(
        buckets.map((b) => b.state.id).sort(),
      );
      for (const l of lifecycles)
        for (const rule of l.inputs.rules as Record<string, unknown>[])
          expect(rule.abortIncompleteMultipartUpload).toEqual({ daysAfterInitiation: 7 });
    },
  );

  it.each(["dev", "staging", "prod"])("%s: the load balancer listens on 443 only", (stack) => {
    const rs = stacks[stack]!;
    expect(ofType(rs, "aws:lb/listener:Listener").map((l) => l.inputs.port)).toEqual([443]);
    const ingress = ofType(rs, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule");
    expect(
      ingress.filter((r) => r.inputs.cidrIpv4 === "0.0.0.0/0").map((r) => r.inputs.fromPort),
    ).toEqual([443]);
  });

  it("staging (a real toll-free number) backs up its table; dev (simulator) need not", () => {
    const table = named(stacks.staging!, "aws:dynamodb/table:Table", "-data");
    expect((table.inputs.tags as Record<string, string>).PatientData).toBe("real");
    const selection = named(stacks.staging!, "aws:backup/selection:Selection", "-data");
    expect(selection.inputs.resources).toEqual([table.state.arn]);
    const plan = named(stacks.staging!, "aws:backup/plan:Plan", "-data");
    expect((plan.inputs.rules as { lifecycle: unknown }[])[0]!.lifecycle).toEqual({
      deleteAfter: 35,
    });
    const devTable = named(stacks.dev!, "aws:dynamodb/table:Table", "-data");
    expect((devTable.inputs.tags as Record<string, string>).PatientData).toBe("simulated");
    expect(ofType(stacks.dev!, "aws:backup/selection:Selection")).toEqual([]);
  });

  it("prod: the trail bucket is access-logged to an SSE-S3 bucket that only S3 logging for it may write", () => {
    const rs = stacks.prod!;
    const trail = ofType(rs, "aws:cloudtrail/trail:Trail")[0]!;
    const trailBucket = ofType(rs, "aws:s3/bucket:Bucket").find(
      (b) => b.state.id === trail.inputs.s3BucketName,
    )!;
    const logging = ofType(rs, "aws:s3/bucketLogging:BucketLogging");
    expect(logging).toHaveLength(1);
    expect(logging[0]!.inputs).toMatchObject({
      bucket: trailBucket.state.id,
      targetPrefix: "trail-bucket/",
    });
    const target = String(logging[0]!.inputs.targetBucket);
    expect(target).not.toBe(trailBucket.state.id);
    const sse = ofType(
      rs,
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    ).find((s) => s.inputs.bucket === target)!;
    expect(JSON.stringify(sse.inputs.rules)).toContain("AES256");
    const policy = ofType(rs, "aws:s3/bucketPolicy:BucketPolicy").find(
      (p) => p.inputs.bucket === target,
    )!;
    const write = statementsOf(policy.inputs.policy).find((s) =>
      s.Action?.includes("s3:PutObject"),
    )!;
    expect(write.Condition?.ArnLike?.["aws:SourceArn"]).toEqual([trailBucket.state.arn]);
    expect(write.Condition?.StringEquals?.["aws:SourceAccount"]).toEqual(["123456789012"]);
  });

  it("prod: the trail bucket replicates to us-west-2 under a CMK there, with a least-privilege role", () => {
    const rs = stacks.prod!;
    const provider = ofType(rs, "pulumi:providers:aws").find((p) => p.name.includes("replica"))!;
    expect(provider.inputs.region).toBe("us-west-2");
    const replication = ofType(rs, "aws:s3/bucketReplicationConfig:BucketReplicationConfig");
    expect(replication).toHaveLength(1);
    const replicaKey = named(rs, "aws:kms/key:Key", "trail-replica-key");
    expect(replicaKey.inputs.enableKeyRotation).toBe(true);
    const [rule] = replication[0]!.inputs.rules as Record<string, unknown>[];
    expect(rule).toMatchObject({
      status: "Enabled",
      deleteMarkerReplication: { status: "Disabled" },
      sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
      destination: { encryptionConfiguration: { replicaKmsKeyId: replicaKey.state.arn } },
    });
    const rolePolicy = ofType(rs, "aws:iam/policy:Policy").find((p) =>
      p.name.includes("trail-replica-replication"),
    )!;
    const statements = statementsOf(rolePolicy.inputs.policy);
    const actions = statements.flatMap((s) => s.Action ?? []).sort();
    expect(actions).toEqual(
      [
        "kms:Decrypt",
        "kms:Encrypt",
        "s3:GetObjectVersionAcl",
        "s3:GetObjectVersionForReplication",
        "s3:GetObjectVersionTagging",
        "s3:GetReplicationConfiguration",
        "s3:ListBucket",
        "s3:ReplicateObject",
        "s3:ReplicateTags",
      ].sort(),
    );
    expect(statements.flatMap((s) => s.Resource ?? [])).not.toContain("*");
    const encrypt = statements.find((s) => s.Action?.includes("kms:Encrypt"))!;
    expect(encrypt.Resource).toEqual([replicaKey.state.arn]);
    expect(encrypt.Condition?.StringEquals?.["kms:ViaService"]).toEqual([
      "s3.us-west-2.amazonaws.com",
    ]);
    const decrypt = statements.find((s) => s.Action?.includes("kms:Decrypt"))!;
    expect(decrypt.Condition?.StringEquals?.["kms:ViaService"]).toEqual([
      "s3.us-east-1.amazonaws.com",
    ]);
  });

  it("staging and dev have no replica (no trail there)", () => {
    for (const stack of ["dev", "staging"])
      expect(
        ofType(stacks[stack]!, "aws:s3/bucketReplicationConfig:BucketReplicationConfig"),
      ).toEqual([]);
  });
});

describe("issue 14 configuration", () => {
  const problems = (stack: string, overrides: Record<string, string | undefined>) => {
    try {
      loadStackFile(stack, overrides);
      return [];
    } catch (e) {
      if (e instanceof StackConfigError) return e.problems;
      throw e;
    }
  };

  it("backs up by number type, not stack name", () => {
    expect(
      loadStackFile("dev", { phoneNumberType: "TOLL_FREE", registrationId: "r" }),
    ).toMatchObject({
      holdsPatientData: true,
      backupRetentionDays: 35,
    });
    expect(loadStackFile("staging", { phoneNumberType: "SIMULATOR" })).toMatchObject({
      holdsPatientData: false,
      backupRetentionDays: 0,
    });
    expect(problems("staging", { backupRetentionDays: "0" })).toEqual([
      expect.stringContaining(
        "eum-sms-stack:backupRetentionDays=0 leaves a stack that can hold patients' data",
      ),
    ]);
  });

  it("refuses a replica region that is the stack's own, malformed, or without a trail", () => {
    expect(problems("prod", { trailReplicaRegion: "us-east-1" })).toEqual([
      expect.stringContaining("is the stack's own region"),
    ]);
    expect(problems("prod", { trailReplicaRegion: "west" })).toEqual([
      expect.stringContaining("is not an AWS region"),
    ]);
    expect(problems("staging", { trailReplicaRegion: "us-west-2" })).toEqual([
      expect.stringContaining("set eum-sms-stack:createCloudTrail=true"),
    ]);
  });
});
