import { loadStackFile } from "../../infra/review/mockProgram";
import { ENVIRONMENT_DEFAULTS } from "../../infra/stackDefaults";

describe.each(["dev", "staging", "prod"] as const)("the %s stack's defaults", (stack) => {
  it("come from the per-environment table when its file leaves them out", () => {
    const bare = loadStackFile(stack, {
      desiredCount: undefined,
      minCount: undefined,
      maxCount: undefined,
      logRetentionDays: undefined,
      auditLogRetentionDays: undefined,
      deletionProtection: undefined,
      vpcEndpoints: undefined,
      backupRetentionDays: undefined,
      vpcId: undefined,
      publicSubnetIds: undefined,
      privateSubnetIds: undefined,
    });
    const table = ENVIRONMENT_DEFAULTS[bare.environment];
    expect(bare.environment).toBe(stack);
    expect(bare.service).toMatchObject({
      desiredCount: table.desiredCount,
      minCount: table.desiredCount,
      maxCount: Math.max(table.desiredCount, table.maxCountAtLeast),
    });
    expect(bare).toMatchObject({
      logRetentionDays: table.logRetentionDays,
      auditLogRetentionDays: table.auditLogRetentionDays,
      deletionProtection: table.deletionProtection,
      // Backups are decided by the number: only a stack that can hold patients' data has them.
      backupRetentionDays: bare.holdsPatientData ? table.backupRetentionDays : 0,
      network: { kind: "create", vpcEndpoints: table.vpcEndpoints },
    });
  });
});

it("prod keeps audit events six years and protects what it deletes", () => {
  expect(ENVIRONMENT_DEFAULTS.prod).toMatchObject({
    auditLogRetentionDays: 2192,
    deletionProtection: true,
    vpcEndpoints: true,
  });
  expect(ENVIRONMENT_DEFAULTS.prod.backupRetentionDays).toBeGreaterThan(0);
});
