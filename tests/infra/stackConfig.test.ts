import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { StackConfigError } from "../../infra/stackConfig";
import { loadStackFile, runStackUnderMocks } from "../../infra/review/mockProgram";
import { repoRoot } from "../support/paths";

function problems(stack: string, overrides: Record<string, string | undefined>): string[] {
  try {
    loadStackFile(stack, overrides);
  } catch (err) {
    if (err instanceof StackConfigError) return [...err.problems];
    throw err;
  }
  return [];
}

describe("stack configuration", () => {
  it("reads the three stack files", () => {
    expect(loadStackFile("dev")).toMatchObject({
      environment: "dev",
      phoneNumber: { type: "SIMULATOR", maxPartsPerSecond: 1 },
      service: { desiredCount: 1 },
      logRetentionDays: 7,
      deletionProtection: false,
      network: { kind: "create", natGateway: true, vpcEndpoints: false },
    });
    expect(loadStackFile("staging")).toMatchObject({
      phoneNumber: { type: "TOLL_FREE", maxPartsPerSecond: 3 },
      deletionProtection: true,
    });
    expect(loadStackFile("prod")).toMatchObject({
      phoneNumber: { type: "TEN_DLC", maxPartsPerSecond: 1 },
      service: { desiredCount: 2, maxCount: 6, cpu: 512, memory: 1024 },
      auditLogRetentionDays: 2192,
      deletionProtection: true,
      createCloudTrail: true,
      network: { kind: "create", vpcEndpoints: true },
    });
  });

  it.each([
    [{ domainName: undefined }, /^eum-sms-stack:domainName is required: the webhook's host name/],
    [
      { certificateArn: "not-an-arn" },
      /^eum-sms-stack:certificateArn is not an ACM certificate ARN/,
    ],
    [{ alarmEmail: "nobody" }, /^eum-sms-stack:alarmEmail="nobody" is not an email address/],
    [
      { phoneNumberType: "SHORT_CODE" },
      /^eum-sms-stack:phoneNumberType="SHORT_CODE" must be one of SIMULATOR, TOLL_FREE, TEN_DLC/,
    ],
    [
      { phoneNumberType: "TEN_DLC" },
      /^eum-sms-stack:registrationId is required for a TEN_DLC number/,
    ],
    [
      { logRetentionDays: "10" },
      /^eum-sms-stack:logRetentionDays=10 is not a CloudWatch retention period/,
    ],
    [{ cpu: "300" }, /^eum-sms-stack:cpu=300 must be one of 256, 512/],
    [{ desiredCount: "3", maxCount: "2" }, /must hold \(got 3, 3, 2\)/],
    [{ vpcId: "vpc-123" }, /need two subnets each \(two AZs\) when eum-sms-stack:vpcId is set/],
    [
      { deletionProtection: "yes" },
      /^eum-sms-stack:deletionProtection="yes" must be true or false/,
    ],
    [{ wafRateLimit: "5" }, /^eum-sms-stack:wafRateLimit="5" must be a whole number from 10/],
    [
      { ingressCidrs: JSON.stringify(["everyone"]) },
      /ingressCidrs has "everyone", which is not an IPv4 CIDR/,
    ],
    [{ requireConsent: "on" }, /^eum-sms-stack:requireConsent="on" must be true or false/],
    [
      { quietHours: "8-21" },
      /^eum-sms-stack:quietHours="8-21" must be the allowed sending window, recipient-local, as HH:MM-HH:MM/,
    ],
    [{ quietHours: "24:00-21:00" }, /quietHours="24:00-21:00" must be .* \(e\.g\. 08:00-21:00\)/],
    [{ quietHours: "09:00-09:00" }, /quietHours="09:00-09:00" must be .* two different times/],
    [
      { frequencyCap: "3 per week" },
      /^eum-sms-stack:frequencyCap="3 per week" must be none or <sends>\/<seconds>.*\(e\.g\. 3\/604800/,
    ],
    [{ frequencyCap: "0/604800" }, /frequencyCap="0\/604800" must be none or/],
    [{ frequencyCap: "3/30" }, /frequencyCap="3\/30" must be none or .* 60 to 31622400 seconds/],
  ])("rejects %j with a message naming the key and the fix", (overrides, message) => {
    expect(problems("dev", overrides)).toEqual([expect.stringMatching(message)]);
  });

  it("gives the send rules their per-environment defaults, and takes a stack's own", () => {
    const bare = { requireConsent: undefined, quietHours: undefined, frequencyCap: undefined };
    expect(loadStackFile("prod", bare).sendRules).toEqual({
      requireConsent: true,
      quietHours: "08:00-21:00",
      frequencyCap: "3/604800",
    });
    for (const stack of ["dev", "staging"])
      expect(loadStackFile(stack, bare).sendRules).toEqual({
        requireConsent: false,
        quietHours: "08:00-21:00",
        frequencyCap: "none",
      });
    expect(
      loadStackFile("prod", {
        requireConsent: "false",
        quietHours: "21:00-08:00",
        frequencyCap: "none",
      }).sendRules,
    ).toEqual({ requireConsent: false, quietHours: "21:00-08:00", frequencyCap: "none" });
  });

  it("accepts an existing VPC with two subnets per tier", () => {
    expect(
      loadStackFile("dev", {
        vpcId: "vpc-123",
        publicSubnetIds: JSON.stringify(["subnet-a", "subnet-b"]),
        privateSubnetIds: JSON.stringify(["subnet-c", "subnet-d"]),
      }).network,
    ).toEqual({
      kind: "existing",
      vpcId: "vpc-123",
      publicSubnetIds: ["subnet-a", "subnet-b"],
      privateSubnetIds: ["subnet-c", "subnet-d"],
    });
  });

  it("fails the program itself with the message when the config is bad", async () => {
    await expect(runStackUnderMocks("dev", { alarmEmail: undefined })).rejects.toThrow(
      /eum-sms-stack:alarmEmail is required/,
    );
  });

  it("declares every key it reads in Pulumi.yaml, with the same defaults", () => {
    const project = parse(readFileSync(join(repoRoot, "Pulumi.yaml"), "utf8")) as {
      main: string;
      config: Record<string, { type: string; default?: unknown; description: string }>;
    };
    expect(project.main).toBe("infra/");
    const source = readFileSync(join(repoRoot, "infra", "stackConfig.ts"), "utf8");
    const read = new Set(
      [...source.matchAll(/(?:str|required|bool|int|oneOf<\w+>|list|retention)\(\s*"(\w+)"/g)].map(
        (m) => m[1],
      ),
    );
    expect([...read].sort()).toEqual(Object.keys(project.config).sort());
    for (const decl of Object.values(project.config)) expect(decl.description).toMatch(/\w/);
    // A stack that sets only what has no default gets exactly the declared defaults.
    const bare = loadStackFile("dev", {
      phoneNumberType: undefined,
      smsMonthlyBudgetUsd: undefined,
      desiredCount: undefined,
      logRetentionDays: undefined,
      auditLogRetentionDays: undefined,
      deletionProtection: undefined,
      vpcEndpoints: undefined,
    });
    const declared = (key: string) => project.config[key]?.default;
    expect(bare.phoneNumber.type).toBe(declared("phoneNumberType"));
    expect(bare.phoneNumber.isoCountryCode).toBe(declared("phoneNumberCountry"));
    expect(bare.phoneNumber.selfManagedOptOuts).toBe(declared("selfManagedOptOuts"));
    expect(String(bare.smsMonthlyBudgetUsd)).toBe(declared("smsMonthlyBudgetUsd"));
    expect(bare.service.cpu).toBe(declared("cpu"));
    expect(bare.service.memory).toBe(declared("memory"));
    expect(bare.network).toMatchObject({
      cidr: declared("vpcCidr"),
      natGateway: declared("natGateway"),
    });
    expect(bare.wafRateLimit).toBe(declared("wafRateLimit"));
    expect(bare.createCloudTrail).toBe(declared("createCloudTrail"));
    expect(bare.conversationTtlDays).toBe(declared("conversationTtlDays"));
  });
});
