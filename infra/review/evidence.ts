import {
  CONTROLS,
  HIPAA_STANDARDS,
  controlsServing,
  type RuntimeEvidence,
} from "../policy/controls";
import { hipaaPolicies, peerRuleNotes } from "../policy/hipaaPolicies";
import { PEER_RULES, PEER_SOURCES, type Framework, type PeerRule } from "../policy/peerRules";
import type { HipaaPolicy, PeerRuleNote } from "../policy/policyKit";
import type { PolicyResult } from "./runPolicies";

type Result = "pass" | "finding";

export interface EnforcingPolicy {
  policy: string;
  control: string;
  enforcementLevel: string;
  result: Result;
}

export interface RuleEvidence {
  framework: Framework;
  rule: string;
  title: string;
  cfr: string[];
  /** The rule's resource kinds that this stack declares. */
  kinds: string[];
  /** `unmapped`: neither a policy nor a note speaks for the rule (a gap in this file's data). */
  status: "enforced" | PeerRuleNote["status"] | "unmapped";
  policies: EnforcingPolicy[];
  reason?: string;
}

export interface ControlEvidence {
  control: string;
  area: string;
  title: string;
  cfr: string[];
  policies: EnforcingPolicy[];
  runtimeTests: RuntimeEvidence[];
}

export interface StandardEvidence {
  cfr: string;
  standard: string;
  controls: string[];
}

export interface Evidence {
  stack: string;
  sources: typeof PEER_SOURCES;
  standards: StandardEvidence[];
  controls: ControlEvidence[];
  rules: RuleEvidence[];
}

const controlsOf = (p: HipaaPolicy) => [p.info.control, ...(p.info.alsoControls ?? [])];

/**
 * The evidence table of one stack: each HIPAA standard with the controls that serve it, each
 * control with the policies and tests that enforce it, and each peer rule that applies to a
 * resource kind of the stack with the policy that enforces it or what we say about it.
 */
export function buildEvidence(
  stack: string,
  kindsInStack: Iterable<string>,
  results: PolicyResult[],
  policies: HipaaPolicy[] = hipaaPolicies,
  notes: PeerRuleNote[] = peerRuleNotes,
  rules: PeerRule[] = PEER_RULES,
): Evidence {
  const present = new Set(kindsInStack);
  const resultOf = new Map(results.map((r) => [r.policy, r]));
  const enforcing = (p: HipaaPolicy): EnforcingPolicy => {
    const r = resultOf.get(p.name);
    return {
      policy: p.name,
      control: p.info.control,
      enforcementLevel: p.enforcementLevel ?? "advisory",
      result: r && r.violations.length > 0 ? "finding" : "pass",
    };
  };

  const ruleRows = rules
    .filter((rule) => rule.kinds.some((k) => present.has(k)))
    .map((rule): RuleEvidence => {
      const by = policies.filter((p) => p.info.sources.includes(rule.id)).map(enforcing);
      const note = notes.find((n) => n.rule === rule.id);
      const base = {
        framework: rule.framework,
        rule: rule.id,
        title: rule.title,
        cfr: rule.cfr,
        kinds: rule.kinds.filter((k) => present.has(k)),
        policies: by,
      };
      if (by.length > 0) return { ...base, status: "enforced" };
      if (note) return { ...base, status: note.status, reason: note.reason };
      return { ...base, status: "unmapped" };
    });

  const controls = CONTROLS.map((c): ControlEvidence => ({
    control: c.id,
    area: c.area,
    title: c.title,
    cfr: c.cfr,
    policies: policies.filter((p) => controlsOf(p).includes(c.id)).map(enforcing),
    runtimeTests: c.runtimeTests,
  }));

  const standards = HIPAA_STANDARDS.map((s) => ({
    cfr: s.cfr,
    standard: s.name,
    controls: controlsServing(s).map((c) => c.id),
  })).filter((s) => s.controls.length > 0);

  return { stack, sources: PEER_SOURCES, standards, controls, rules: ruleRows };
}

const cell = (s: string) => s.replace(/\|/g, "\\|");

function policyCell(list: EnforcingPolicy[]): string {
  return list
    .map(
      (p) =>
        `\`${p.policy}\` (${p.control}, ${p.enforcementLevel}${p.result === "finding" ? ", **finding**" : ""})`,
    )
    .join("<br>");
}

/** The evidence as Markdown, for review/<stack>.md. */
export function renderEvidence(e: Evidence): string[] {
  const out: string[] = [];
  out.push("## Evidence for auditors");
  out.push("");
  out.push(
    `The same tables are in \`review/${e.stack}.evidence.json\`. Control ids are those of docs/hipaa-controls.md; peer rules come from cdk-nag (${e.sources.cdkNag.path.split(" ")[0]} at ${e.sources.cdkNag.commit.slice(0, 7)}) and Checkov (checks at ${e.sources.checkov.commit.slice(0, 7)}).`,
  );
  out.push("");
  out.push("### HIPAA Security Rule standards and the controls that serve them");
  out.push("");
  out.push("| 45 CFR | Standard | Controls |");
  out.push("|---|---|---|");
  for (const s of e.standards) out.push(`| ${s.cfr} | ${s.standard} | ${s.controls.join(", ")} |`);
  out.push("");
  out.push("### Controls and what enforces them");
  out.push("");
  out.push("| Control | 45 CFR | Policies (result in this stack) | Tests |");
  out.push("|---|---|---|---|");
  for (const c of e.controls) {
    const tests = c.runtimeTests.map((t) => `${t.file}: “${cell(t.test)}”`).join("<br>");
    out.push(
      `| ${c.control} ${cell(c.title)} | ${c.cfr.join(", ")} | ${policyCell(c.policies) || "none"} | ${tests || "the policies' tests (tests/policy/)"} |`,
    );
  }
  out.push("");
  out.push("### cdk-nag HIPAA.Security rules and Checkov checks that apply to this stack");
  out.push("");
  const count = (status: string) => e.rules.filter((r) => r.status === status).length;
  out.push(
    `${e.rules.length} rules apply: ${count("enforced")} enforced by a policy, ${count("not-applicable")} not applicable, ${count("waived")} waived, ${count("unguarded")} holding without a policy to guard them, ${count("open")} open findings.`,
  );
  out.push("");
  out.push("| Framework | Rule | 45 CFR (cdk-nag) | Status | Enforced by, or why not |");
  out.push("|---|---|---|---|---|");
  for (const r of e.rules) {
    out.push(
      `| ${r.framework} | \`${r.rule}\` ${cell(r.title)} | ${r.cfr.join(", ")} | ${r.status} | ${r.status === "enforced" ? policyCell(r.policies) : cell(r.reason ?? "")} |`,
    );
  }
  out.push("");
  return out;
}
