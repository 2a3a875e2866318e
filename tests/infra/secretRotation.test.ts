import { runStackUnderMocks, type Registered } from "../../infra/review/mockProgram";
import { ROTATION_HANDLER_SOURCE } from "../../infra/components/secretRotation";

// The Lambda's own file, loaded the way Lambda loads it (CommonJS).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const handler = require("../../infra/rotation/rotateSecretHandler.js") as {
  rotate(
    event: { SecretId: string; ClientRequestToken: string; Step: string },
    deps: unknown,
  ): Promise<string>;
  newKey(length?: number): string;
};

/** Secrets Manager's version/stage bookkeeping for one secret, as the rotation contract uses it. */
class FakeSecret {
  values = new Map<string, string>([["v1", "old-value"]]);
  stages = new Map<string, string[]>([["v1", ["AWSCURRENT"]]]);
  constructor(readonly arn: string) {}
  async describe() {
    return { RotationEnabled: true, VersionIdsToStages: Object.fromEntries(this.stages) };
  }
  async getValue(_id: string, versionId: string, stage: string) {
    return this.stages.get(versionId)?.includes(stage) ? this.values.get(versionId) : undefined;
  }
  async putPending(_id: string, versionId: string, value: string) {
    this.values.set(versionId, value);
    this.stages.set(versionId, ["AWSPENDING"]);
  }
  async makeCurrent(_id: string, versionId: string, from: string | undefined) {
    // What UpdateSecretVersionStage does: AWSCURRENT moves, the old current becomes AWSPREVIOUS.
    for (const [v, s] of this.stages)
      this.stages.set(
        v,
        s.filter((x) => x !== "AWSPREVIOUS"),
      );
    if (from) this.stages.set(from, ["AWSPREVIOUS"]);
    this.stages.set(versionId, ["AWSCURRENT"]);
  }
}

const rotateAll = async (secret: FakeSecret, deps: object, token = "v2") => {
  // Secrets Manager creates the version id and calls the four steps in order.
  secret.stages.set(token, []);
  for (const Step of ["createSecret", "setSecret", "testSecret", "finishSecret"])
    await handler.rotate({ SecretId: secret.arn, ClientRequestToken: token, Step }, deps);
};

describe("the rotation function's logic", () => {
  it("rotates the agent token: new value current, old one previous, the connection untouched", async () => {
    const secret = new FakeSecret("arn:token");
    const updates: unknown[] = [];
    await rotateAll(secret, {
      sm: secret,
      events: { updateApiKey: async (...a: unknown[]) => void updates.push(a) },
      connection: { secretArn: "arn:eventbridge-key", name: "conn", header: "x-api-key" },
      newKey: () => "new-value",
    });
    expect(secret.stages.get("v2")).toEqual(["AWSCURRENT"]);
    expect(secret.stages.get("v1")).toEqual(["AWSPREVIOUS"]);
    expect(secret.values.get("v2")).toBe("new-value");
    expect(updates).toEqual([]);
  });

  it("rotates the EventBridge key and gives the connection the new value only once it is current", async () => {
    const secret = new FakeSecret("arn:eventbridge-key");
    const updates: unknown[][] = [];
    await rotateAll(secret, {
      sm: secret,
      events: {
        updateApiKey: async (...a: unknown[]) => {
          expect(secret.stages.get("v2")).toEqual(["AWSCURRENT"]);
          updates.push(a);
        },
      },
      connection: { secretArn: "arn:eventbridge-key", name: "conn", header: "x-api-key" },
      newKey: () => "new-value",
    });
    expect(updates).toEqual([["conn", "x-api-key", "new-value"]]);
  });

  it("a retried finish after a failed connection update updates the connection again", async () => {
    const secret = new FakeSecret("arn:eventbridge-key");
    let fail = true;
    const updates: unknown[][] = [];
    const deps = {
      sm: secret,
      events: {
        updateApiKey: async (...a: unknown[]) => {
          if (fail) throw new Error("throttled");
          updates.push(a);
        },
      },
      connection: { secretArn: "arn:eventbridge-key", name: "conn", header: "x-api-key" },
      newKey: () => "new-value",
    };
    await expect(rotateAll(secret, deps)).rejects.toThrow("throttled");
    fail = false;
    await handler.rotate(
      { SecretId: secret.arn, ClientRequestToken: "v2", Step: "finishSecret" },
      deps,
    );
    expect(updates).toEqual([["conn", "x-api-key", "new-value"]]);
  });

  it("createSecret is idempotent and refuses a token that is not a version of the secret", async () => {
    const secret = new FakeSecret("arn:token");
    let made = 0;
    const deps = { sm: secret, events: {}, newKey: () => `value-${++made}` };
    secret.stages.set("v2", []);
    const step = { SecretId: "arn:token", ClientRequestToken: "v2", Step: "createSecret" };
    await handler.rotate(step, deps);
    await handler.rotate(step, deps);
    expect(made).toBe(1);
    await expect(handler.rotate({ ...step, ClientRequestToken: "nope" }, deps)).rejects.toThrow(
      "not a version of this secret",
    );
  });

  it("makes 48-character alphanumeric keys", () => {
    const keys = new Set(Array.from({ length: 50 }, () => handler.newKey()));
    expect(keys.size).toBe(50);
    for (const k of keys) expect(k).toMatch(/^[A-Za-z0-9]{48}$/);
  });
});

describe("rotation in the stack (mocks)", () => {
  let rs: Registered[];
  beforeAll(async () => {
    rs = (await runStackUnderMocks("staging")).resources;
  }, 60_000);
  const ofType = (type: string) => rs.filter((r) => r.type === type);

  it("rotates the agent token and the EventBridge key on the configured schedule, not the patient-reference key", () => {
    const secrets = ofType("aws:secretsmanager/secret:Secret");
    const rotations = ofType("aws:secretsmanager/secretRotation:SecretRotation");
    const rotated = rotations.map(
      (r) => secrets.find((s) => s.state.arn === r.inputs.secretId)!.name,
    );
    expect(rotated.sort()).toEqual([
      "eum-sms-staging-secrets-agent-api-token",
      "eum-sms-staging-secrets-eventbridge-api-key",
    ]);
    for (const r of rotations)
      expect(r.inputs.rotationRules).toEqual({ automaticallyAfterDays: 30 });
    const exempt = secrets.find((s) => s.name.endsWith("patient-ref-key"))!;
    expect((exempt.inputs.tags as Record<string, string>).RotationExempt).toBeTruthy();
  });

  it("ships the handler inline with a role limited to the two secrets, the key via Secrets Manager, its log group and the connection", () => {
    const fn = ofType("aws:lambda/function:Function")[0]!;
    expect(fn.inputs).toMatchObject({ runtime: "nodejs22.x", handler: "index.handler" });
    // The mock monitor shows an archive without its assets; the source is the file tested above.
    expect(JSON.stringify(fn.inputs.code)).toContain("__pulumiArchive");
    expect(ROTATION_HANDLER_SOURCE).toContain("UpdateConnectionCommand");
    const policy = ofType("aws:iam/policy:Policy").find((p) => p.name.includes("rotation-fn"))!;
    const statements = (
      JSON.parse(String(policy.inputs.policy)) as {
        Statement: { Action: string[]; Resource: string[]; Condition?: object }[];
      }
    ).Statement;
    expect(statements.flatMap((s) => s.Resource)).not.toContain("*");
    const update = statements.find((s) => s.Action.includes("events:UpdateConnection"))!;
    expect(update.Resource).toEqual([
      "arn:aws:events:us-east-1:123456789012:connection/eum-sms-staging-webhook/*",
    ]);
    const kms = statements.find((s) => s.Action.includes("kms:Decrypt"))!;
    expect(JSON.stringify(kms.Condition)).toContain("secretsmanager.us-east-1.amazonaws.com");
    const logGroup = ofType("aws:cloudwatch/logGroup:LogGroup").find((g) =>
      String(g.inputs.name).startsWith("/aws/lambda/"),
    )!;
    expect(logGroup.inputs.kmsKeyId).toEqual(expect.stringContaining(":kms:"));
    const permission = ofType("aws:lambda/permission:Permission")[0]!;
    expect(permission.inputs).toMatchObject({
      principal: "secretsmanager.amazonaws.com",
      sourceAccount: "123456789012",
    });
  });

  it("tells the runtime which secrets to re-read and lets its task role read them", () => {
    const task = ofType("aws:ecs/taskDefinition:TaskDefinition")[0]!;
    const env = (
      JSON.parse(String(task.inputs.containerDefinitions)) as {
        environment: { name: string; value: string }[];
      }[]
    )[0]!.environment.map((e) => e.name);
    expect(env).toEqual(expect.arrayContaining(["AGENT_AUTH_ARN", "EVENTBRIDGE_AUTH_ARN"]));
    const taskPolicy = ofType("aws:iam/policy:Policy").find((p) =>
      String(p.inputs.policy).includes("ReadRotatedSecrets"),
    );
    expect(taskPolicy).toBeDefined();
  });
});
