import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CONTROLS } from "../../infra/policy/controls";
import { PEER_RULES } from "../../infra/policy/peerRules";
import { buildEvidence, type Evidence } from "../../infra/review/evidence";
import { reviewStack } from "../../infra/review/reviewStack";
import type { PolicyResult } from "../../infra/review/runPolicies";
import { repoRoot } from "../support/paths";

const rule = (e: Evidence, id: string) => e.rules.find((r) => r.rule === id);

describe.each(["dev", "staging", "prod"])("evidence for the %s stack", (stack) => {
  let evidence: Evidence;
  let markdown: string;
  let kinds: Set<string>;
  beforeAll(async () => {
    const result = await reviewStack(stack);
    evidence = result.report.evidence;
    markdown = result.markdown;
    kinds = new Set(result.resources.filter((r) => r.custom).map((r) => r.type));
  }, 60_000);

  it("lists every peer rule that applies to a resource kind of the stack, and only those", () => {
    const applying = PEER_RULES.filter((r) => r.kinds.some((k) => kinds.has(k))).map((r) => r.id);
    expect(evidence.rules.map((r) => r.rule)).toEqual(applying);
    expect(
      evidence.rules.filter((r) => r.framework === "cdk-nag HIPAA.Security").length,
    ).toBeGreaterThan(25);
    expect(evidence.rules.filter((r) => r.framework === "Checkov").length).toBeGreaterThan(70);
  });

  it("gives each rule the policy that enforces it or the reason it does not", () => {
    expect(evidence.rules.filter((r) => r.status === "unmapped").map((r) => r.rule)).toEqual([]);
    for (const r of evidence.rules) {
      if (r.status === "enforced") expect(r.policies.length).toBeGreaterThan(0);
      else expect(r.reason).toBeTruthy();
    }
    expect(rule(evidence, "HIPAA.Security-SNSEncryptedKMS")).toMatchObject({
      status: "enforced",
      cfr: ["164.312(a)(2)(iv)", "164.312(e)(2)(ii)"],
      policies: [{ policy: "sns-topic-encrypted-with-cmk", control: "S1", result: "pass" }],
    });
    expect(rule(evidence, "CKV2_AWS_16")).toMatchObject({ status: "not-applicable" });
    expect(rule(evidence, "CKV_AWS_300")).toMatchObject({
      status: "enforced",
      policies: [{ policy: "buckets-lifecycle-abort-uploads", result: "pass" }],
    });
    // Port 80 is gone (issue 14 item 5): the ingress policy now forbids it.
    expect(rule(evidence, "CKV_AWS_260")).toMatchObject({
      status: "enforced",
      policies: [{ policy: "security-group-ingress-restricted", result: "pass" }],
    });
    expect(rule(evidence, "HIPAA.Security-S3DefaultEncryptionKMS")).toMatchObject({
      status: "waived",
    });
  });

  it("rotated secrets pass (issue 14 item 1); the patient-reference key is a tagged exception", () => {
    expect(rule(evidence, "CKV2_AWS_57")).toMatchObject({
      status: "enforced",
      policies: [{ policy: "secrets-rotated", enforcementLevel: "mandatory", result: "pass" }],
    });
  });

  it("maps each HIPAA standard the stack touches to the controls that serve it", () => {
    const standards = new Map(evidence.standards.map((s) => [s.standard, s.controls]));
    for (const name of [
      "Access control",
      "Audit controls",
      "Integrity",
      "Transmission security",
      "Contingency plan",
    ])
      expect(standards.get(name)?.length).toBeGreaterThan(0);
    expect(standards.get("Contingency plan")).toEqual(expect.arrayContaining(["D1", "F5"]));
    expect(standards.get("Audit controls")).toEqual(expect.arrayContaining(["U2", "R1", "V1"]));
  });

  it("names, per control, the policies with their result here and the runtime tests", () => {
    expect(evidence.controls.map((c) => c.control)).toEqual(CONTROLS.map((c) => c.id));
    const u2 = evidence.controls.find((c) => c.control === "U2")!;
    expect(u2.runtimeTests[0]!.file).toBe("tests/http/phiLogging.test.ts");
    const f5 = evidence.controls.find((c) => c.control === "F5")!;
    expect(f5.policies.map((p) => p.policy)).toEqual(["ecs-service-private-with-rollback"]);
    expect(markdown).toContain("## Evidence for auditors");
    expect(markdown).toMatch(
      /\| Checkov \| `CKV_AWS_26` Ensure all data stored in the SNS topic is encrypted \| {2}\| enforced \| `sns-topic-encrypted-with-cmk` \(S1, mandatory\) \|/,
    );
  });
});

describe("buildEvidence", () => {
  it("reports a rule no policy or note speaks for as unmapped, and a failing policy as a finding", () => {
    const kinds = ["aws:sns/topic:Topic", "aws:ec2/eip:Eip"];
    const results: PolicyResult[] = [
      {
        policy: "sns-topic-encrypted-with-cmk",
        enforcementLevel: "mandatory",
        info: { control: "S1", sources: [], remediation: "" },
        description: "",
        violations: [{ message: "the topic is not encrypted" }],
      },
    ];
    const e = buildEvidence("t", kinds, results, undefined, []);
    expect(rule(e, "CKV2_AWS_19")).toMatchObject({ status: "unmapped" });
    expect(rule(e, "CKV_AWS_26")!.policies[0]).toMatchObject({ result: "finding" });
    expect(e.rules.map((r) => r.rule).sort()).toEqual(
      ["CKV2_AWS_19", "CKV_AWS_26", "HIPAA.Security-SNSEncryptedKMS"].sort(),
    );
  });
});

describe("npm run review writes review/<stack>.evidence.json", () => {
  beforeAll(() => {
    execFileSync("npx", ["--no-install", "tsc", "-p", "tsconfig.review.json"], {
      cwd: repoRoot,
      stdio: "ignore",
    });
  }, 120_000);

  it("with the standards, controls and rules, as plain JSON for GRC tools", () => {
    const cli = join(repoRoot, "dist", "review", "infra", "review", "cli.js");
    const r = spawnSync(process.execPath, [cli, "--stack", "staging"], {
      cwd: repoRoot,
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(r.status).toBe(0);
    const json = JSON.parse(
      readFileSync(join(repoRoot, "review", "staging.evidence.json"), "utf8"),
    ) as Evidence;
    expect(Object.keys(json).sort()).toEqual([
      "controls",
      "rules",
      "sources",
      "stack",
      "standards",
    ]);
    expect(json.stack).toBe("staging");
    expect(json.sources.cdkNag.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(json.sources.checkov.commit).toMatch(/^[0-9a-f]{40}$/);
    for (const s of json.standards)
      expect(Object.keys(s).sort()).toEqual(["cfr", "controls", "standard"]);
    for (const c of json.controls)
      expect(Object.keys(c).sort()).toEqual([
        "area",
        "cfr",
        "control",
        "policies",
        "runtimeTests",
        "title",
      ]);
    for (const row of json.rules) {
      expect(row).toMatchObject({
        framework: expect.stringMatching(/^(cdk-nag HIPAA\.Security|Checkov)$/),
        rule: expect.any(String),
        title: expect.any(String),
        status: expect.stringMatching(/^(enforced|not-applicable|waived|unguarded|open)$/),
      });
      expect(Array.isArray(row.kinds) && row.kinds.length > 0).toBe(true);
    }
  }, 120_000);
});
