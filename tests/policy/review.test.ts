import { execFileSync, spawnSync } from "node:child_process";
import { rmSync, writeFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PRICES } from "../../infra/review/costEstimate";
import { reviewStack } from "../../infra/review/reviewStack";
import { repoRoot } from "../support/paths";

describe("offline review of the dev stack", () => {
  let result: Awaited<ReturnType<typeof reviewStack>>;
  beforeAll(async () => {
    result = await reviewStack("dev");
  }, 60_000);

  it("counts the resources, components and policies", () => {
    const { report } = result;
    const resources = report.groups.reduce((n, g) => n + g.resources.length, 0);
    expect(resources).toBe(result.resources.filter((r) => r.custom).length);
    expect(report.groups.map((g) => g.name.replace("eum-sms-dev-", ""))).toEqual([
      "data",
      "events",
      "events-dlq",
      "image",
      "keys",
      "log-metrics",
      "logs",
      "monitoring",
      "net",
      "runtime",
      "schedules",
      "secrets",
      "secrets-rotation",
      "sends",
      "sms",
      "sms-inbound-dlq",
      "sms-webhook",
      "web",
      "web-access-logs",
    ]);
    // 38 + issue 14: lifecycle aborts, trail bucket logged and replicated; + issue 12: queues
    // TLS-only, queues redrive to a DLQ, Scheduler role trust scoped; + metric filters without
    // dimensions
    expect(report.results).toHaveLength(44);
    expect(result.mandatory).toEqual([]);
    expect(result.markdown).toContain(`${resources} resources in 19 components`);
    expect(result.markdown).toContain(
      "| pass | `kms-key-rotation-and-description` | K1 | mandatory |",
    );
  });

  it("draws the component graph from the resources' references", () => {
    const { diagram } = result.report;
    expect(diagram.startsWith("flowchart LR")).toBe(true);
    for (const edge of [
      "sms --> keys",
      "runtime --> data",
      "runtime --> sends",
      "runtime --> schedules",
      "schedules --> sends",
      "sends --> keys",
      "runtime --> secrets",
      "runtime --> web",
      "web --> net",
      "net --> logs",
      "events --> events_dlq",
      "monitoring --> web",
    ]) {
      expect(diagram).toContain(`  ${edge}`);
    }
    expect(diagram).not.toContain("keys --> sms");
    expect(result.markdown).toContain("```mermaid\nflowchart LR");
  });

  it("estimates the monthly cost from the configured volumes and sizes", () => {
    const line = (item: string) => result.report.cost.lines.find((l) => l.item.startsWith(item))!;
    expect(line("SMS sent").monthlyUsd).toBeCloseTo(2000 * PRICES.smsOutboundPart.SIMULATOR, 6);
    expect(line("SMS received").monthlyUsd).toBeCloseTo(1000 * PRICES.smsInboundPart, 6);
    expect(line("Fargate").monthlyUsd).toBeCloseTo(730 * (0.25 * 0.04048 + 0.5 * 0.004445), 6);
    expect(line("Interface VPC endpoints").monthlyUsd).toBe(0);
    expect(line("KMS keys").monthlyUsd).toBe(3);
    // SendsHeld, SendOutcomeUnknown, CarrierRetryQueued: one custom metric per filter.
    expect(line("CloudWatch custom metrics").monthlyUsd).toBeCloseTo(
      3 * PRICES.customMetricMonth,
      6,
    );
    const total = result.report.cost.lines.reduce((s, l) => s + l.monthlyUsd, 0);
    expect(result.report.cost.totalUsd).toBeCloseTo(total, 6);
    expect(result.markdown).toContain(`**$${total.toFixed(2)} a month**`);
  });

  it("lists the outputs and each component's key security settings", () => {
    expect(result.markdown).toContain("| webhookUrl | `https://sms.dev.example.org/sms/webhook` |");
    expect(result.markdown).toMatch(/enableKeyRotation: true/);
    expect(result.markdown).toMatch(
      /readonlyRootFilesystem: true; user: 1000:1000; secrets: AGENT_API_TOKEN, EVENTBRIDGE_API_KEY, PATIENT_REF_KEY/,
    );
  });
});

describe("a control switched off", () => {
  it("shows as a mandatory finding naming the resource and the fix", async () => {
    const { mandatory, markdown } = await reviewStack("prod", { deletionProtection: "false" });
    expect(mandatory.map((p) => p.policy).sort()).toEqual([
      "alb-deletion-protection-in-prod",
      "dynamodb-table-protected",
      "phone-number-two-way-and-opt-outs",
    ]);
    expect(markdown).toContain("| **FAIL** | `alb-deletion-protection-in-prod` | A2 | mandatory |");
    expect(markdown).toMatch(
      /`alb-deletion-protection-in-prod` \(A2, mandatory\) on `eum-sms-prod-web-alb`: a production load balancer can be deleted\. Fix: set deletionProtection: true/,
    );
  }, 60_000);
});

describe("npm run review", () => {
  const cli = join(repoRoot, "dist", "review", "infra", "review", "cli.js");
  const stackFile = join(repoRoot, "Pulumi.reviewtest.yaml");
  beforeAll(() => {
    execFileSync("npx", ["--no-install", "tsc", "-p", "tsconfig.review.json"], {
      cwd: repoRoot,
      stdio: "ignore",
    });
  }, 120_000);
  afterAll(() => rmSync(stackFile, { force: true }));

  const run = (stack: string) =>
    spawnSync(process.execPath, [cli, "--stack", stack], {
      cwd: repoRoot,
      encoding: "utf8",
      timeout: 60_000,
    });

  it("writes review/<stack>.md and exits 0 for a compliant stack", () => {
    const r = run("dev");
    expect(r.status).toBe(0);
    expect(readFileSync(join(repoRoot, "review", "dev.md"), "utf8")).toContain(
      "# Stack review: dev",
    );
  }, 60_000);

  it("exits non-zero with the reason on a config error or a mandatory violation", () => {
    const missing = run("no-such-stack");
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain("Pulumi.no-such-stack.yaml not found");
    writeFileSync(
      stackFile,
      readFileSync(join(repoRoot, "Pulumi.prod.yaml"), "utf8").replace(
        'deletionProtection: "true"',
        'deletionProtection: "false"',
      ),
    );
    const violating = run("reviewtest");
    expect(violating.status).toBe(1);
    expect(violating.stderr).toMatch(
      /mandatory policy violations:[\s\S]*alb-deletion-protection-in-prod \(A2\) on eum-sms-prod-web-alb/,
    );
    writeFileSync(stackFile, "config:\n  aws:region: us-east-1\n");
    const bad = run("reviewtest");
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("eum-sms-stack:domainName is required");
  }, 120_000);
});
