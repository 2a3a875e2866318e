import type {
  PolicyResource,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";
import { hipaaPolicies } from "../policy/hipaaPolicies";
import type { ControlInfo, HipaaPolicy } from "../policy/policyKit";

/** A resource as the policies see it: type, name and properties (inputs plus known outputs). */
export interface ReviewedResource {
  type: string;
  name: string;
  props: Record<string, unknown>;
}

export interface PolicyResult {
  policy: string;
  enforcementLevel: string;
  info: ControlInfo;
  description: string;
  violations: { resource?: string; message: string }[];
}

const urnOf = (r: ReviewedResource) => `urn:pulumi:review::eum-sms-stack::${r.type}::${r.name}`;

function asPolicyResource(r: ReviewedResource): PolicyResource {
  return {
    type: r.type,
    name: r.name,
    urn: urnOf(r),
    props: r.props,
    opts: {} as PolicyResource["opts"],
    dependencies: [],
    propertyDependencies: {},
    isType: () => false,
    asType: () => undefined,
  } as unknown as PolicyResource;
}

/**
 * Runs the HIPAA policies over a set of resources the way `pulumi preview --policy-pack` would,
 * without the CLI: each resource policy over each resource, each stack policy once.
 */
export async function runPolicies(
  resources: ReviewedResource[],
  policies: HipaaPolicy[] = hipaaPolicies,
): Promise<PolicyResult[]> {
  const byUrn = new Map(resources.map((r) => [urnOf(r), r.name]));
  const stack = resources.map(asPolicyResource);
  const results: PolicyResult[] = [];
  for (const policy of policies) {
    const violations: PolicyResult["violations"] = [];
    const report = (resourceName: string | undefined) => (message: string, urn?: string) =>
      violations.push({
        ...((urn && byUrn.get(urn)) || resourceName
          ? { resource: (urn && byUrn.get(urn)) || resourceName }
          : {}),
        message,
      });
    if ("validateResource" in policy) {
      const validate = (policy as ResourceValidationPolicy).validateResource;
      for (const r of stack) {
        const fns = validate === undefined ? [] : Array.isArray(validate) ? validate : [validate];
        for (const fn of fns) {
          await fn(
            {
              ...r,
              stackTags: new Map(),
              getConfig: () => ({}),
              notApplicable: () => {
                throw new Error("not applicable");
              },
            } as never,
            report(r.name),
          );
        }
      }
    } else {
      await (policy as StackValidationPolicy).validateStack(
        {
          resources: stack,
          stackTags: new Map(),
          getConfig: () => ({}) as never,
          notApplicable: () => {
            throw new Error("not applicable");
          },
        },
        report(undefined),
      );
    }
    results.push({
      policy: policy.name,
      enforcementLevel: policy.enforcementLevel ?? "advisory",
      info: policy.info,
      description: policy.description ?? "",
      violations,
    });
  }
  return results;
}

export const mandatoryViolations = (results: PolicyResult[]) =>
  results.filter((r) => r.enforcementLevel === "mandatory" && r.violations.length > 0);
