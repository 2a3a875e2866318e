import { estimateMonthlyCost } from "./costEstimate";
import { buildEvidence } from "./evidence";
import { runStackUnderMocks } from "./mockProgram";
import { renderReport, type ReviewReport } from "./report";
import { groupByComponent, mermaid } from "./resourceGraph";
import { mandatoryViolations, runPolicies } from "./runPolicies";

/**
 * The offline review of one stack: the real program under mocks with Pulumi.<stack>.yaml, every
 * policy over what it declares, the evidence for auditors, the architecture, the outputs and the
 * cost estimate.
 */
export async function reviewStack(
  stack: string,
  overrides: Record<string, string | undefined> = {},
) {
  const { config, resources, outputs } = await runStackUnderMocks(stack, overrides);
  const results = await runPolicies(
    resources.filter((r) => r.custom).map((r) => ({ type: r.type, name: r.name, props: r.state })),
  );
  const groups = groupByComponent(resources);
  const evidence = buildEvidence(
    stack,
    resources.filter((r) => r.custom).map((r) => r.type),
    results,
  );
  const report: ReviewReport = {
    stack,
    config,
    groups,
    results,
    outputs,
    diagram: mermaid(groups, `eum-sms-${config.environment}`),
    cost: estimateMonthlyCost(config, resources),
    evidence,
  };
  return {
    report,
    markdown: renderReport(report),
    mandatory: mandatoryViolations(results),
    resources,
  };
}
