import type {
  EnforcementLevel,
  PolicyResource,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";

/** What an auditor reads next to each result: the control and where it comes from. */
export interface ControlInfo {
  /** Row of the control catalogue (docs/hipaa-controls.md, infra/policy/controls.ts), e.g. "K1". */
  control: string;
  /** cdk-nag HIPAA.Security-*, AwsSolutions-*, Checkov CKV_* ids behind it. */
  sources: string[];
  /** The config key or component arg that fixes a violation. */
  remediation: string;
  /** Further catalogue controls the same check serves (e.g. rollback, F5, in the F1 service policy). */
  alsoControls?: string[];
}

/**
 * What we say about a peer rule (cdk-nag HIPAA.Security, Checkov) that no policy of ours lists in
 * its `sources`, kept next to the policies of the same service:
 * - not-applicable: the rule's condition cannot arise in this program (reason says why);
 * - waived: it arises and is accepted (reason says why);
 * - unguarded: it holds in the program today, but no policy would catch a change;
 * - open: a known finding, not fixed yet (reason says where it is tracked).
 */
export interface PeerRuleNote {
  rule: string;
  status: "not-applicable" | "waived" | "unguarded" | "open";
  reason: string;
}

export type HipaaPolicy = (ResourceValidationPolicy | StackValidationPolicy) & {
  info: ControlInfo;
};

export type Props = Record<string, unknown>;

/** A property as a string, "" when absent or not a string. */
export const str = (v: unknown): string => (typeof v === "string" ? v : "");

interface Common extends ControlInfo {
  name: string;
  description: string;
  enforcementLevel: EnforcementLevel;
}

function describe(c: Common): string {
  return `[${c.control}] ${c.description} (${c.sources.join(", ")})`;
}

/** A policy over resources of the given types; `check` returns what is wrong, if anything. */
export function resourcePolicy(
  c: Common & { types: string[]; check: (props: Props, type: string) => string[] },
): HipaaPolicy {
  const policy: ResourceValidationPolicy & { info: ControlInfo } = {
    name: c.name,
    description: describe(c),
    enforcementLevel: c.enforcementLevel,
    info: {
      control: c.control,
      sources: c.sources,
      remediation: c.remediation,
      ...(c.alsoControls ? { alsoControls: c.alsoControls } : {}),
    },
    validateResource: (args, report) => {
      if (!c.types.includes(args.type)) return;
      for (const problem of c.check(args.props, args.type))
        report(`${problem}. Fix: ${c.remediation}`);
    },
  };
  return policy;
}

/** A policy over the whole stack, for controls that span resources. */
export function stackPolicy(
  c: Common & { check: (resources: PolicyResource[]) => { message: string; urn?: string }[] },
): HipaaPolicy {
  const policy: StackValidationPolicy & { info: ControlInfo } = {
    name: c.name,
    description: describe(c),
    enforcementLevel: c.enforcementLevel,
    info: {
      control: c.control,
      sources: c.sources,
      remediation: c.remediation,
      ...(c.alsoControls ? { alsoControls: c.alsoControls } : {}),
    },
    validateStack: (args, report) => {
      for (const { message, urn } of c.check(args.resources))
        report(`${message}. Fix: ${c.remediation}`, urn);
    },
  };
  return policy;
}

// ---------------------------------------------------------------- helpers for checks

export interface Statement {
  Sid?: string;
  Effect?: string;
  Action?: string | string[];
  Resource?: string | string[];
  Principal?: string | Record<string, string | string[]>;
  Condition?: Record<string, Record<string, unknown>>;
}

/** Statements of a policy given as a JSON string or an object; [] when absent or not yet known. */
export function statements(policy: unknown): Statement[] {
  let doc: unknown = policy;
  if (typeof policy === "string") {
    try {
      doc = JSON.parse(policy);
    } catch {
      return [];
    }
  }
  const list = (doc as { Statement?: unknown } | undefined)?.Statement;
  if (list === undefined) return [];
  return (Array.isArray(list) ? list : [list]) as Statement[];
}

export const asList = (v: string | string[] | undefined): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v : [v];

export function principals(s: Statement): { wildcard: boolean; services: string[]; aws: string[] } {
  if (s.Principal === "*") return { wildcard: true, services: [], aws: [] };
  const p = (s.Principal ?? {}) as Record<string, string | string[]>;
  const aws = asList(p.AWS);
  return { wildcard: aws.includes("*"), services: asList(p.Service), aws };
}

export function deniesInsecureTransport(list: Statement[]): boolean {
  return list.some(
    (s) =>
      s.Effect === "Deny" &&
      String(Object.values(s.Condition?.Bool ?? {})[0] ?? "") === "false" &&
      Object.keys(s.Condition?.Bool ?? {}).includes("aws:SecureTransport"),
  );
}

export const tags = (props: Props): Record<string, string> =>
  (props.tags as Record<string, string> | undefined) ?? {};
export const isProd = (props: Props): boolean => tags(props).Environment === "prod";

/** Whether `from`'s property `prop` refers to `to`: by dependency (a preview) or by value (an up). */
export function refersTo(from: PolicyResource, prop: string, to: PolicyResource): boolean {
  if (from.propertyDependencies?.[prop]?.some((r) => r.urn === to.urn)) return true;
  const value = from.props[prop];
  const ids = [to.props.arn, to.props.id, to.props.name, to.props.bucket].filter(
    (v) => typeof v === "string" && v !== "",
  );
  return typeof value === "string" && ids.includes(value);
}
