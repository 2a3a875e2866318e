import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { loadStackConfig, type ConfigSource, type StackConfig } from "../stackConfig";
import { findRepoRoot } from "../repoRoot";

const repoRoot = findRepoRoot();

export const ACCOUNT = "123456789012";
export const PROJECT = "eum-sms-stack";

export interface Registered {
  type: string;
  name: string;
  /** The mock's answer: inputs plus fake outputs (arn, id, ...), as a deployed stack would show. */
  state: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  inputs: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  custom: boolean;
  /** The URN the engine would give it (type chain of its parents, then its name). */
  urn: string;
  /** URNs its `aliases` option claims, so a moved resource is recognised as the same one. */
  aliasUrns: string[];
}

/** A stack file's `eum-sms-stack:*` settings as a ConfigSource, with optional overrides. */
export function stackFileConfig(stack: string, overrides: Record<string, string | undefined> = {}) {
  const file = parse(readFileSync(join(repoRoot, `Pulumi.${stack}.yaml`), "utf8")) as {
    config: Record<string, unknown>;
  };
  const values: Record<string, unknown> = {};
  let region: string | undefined;
  for (const [key, value] of Object.entries(file.config)) {
    if (key === "aws:region") region = String(value);
    else if (key.startsWith(`${PROJECT}:`)) values[key.slice(PROJECT.length + 1)] = value;
  }
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete values[key];
    else values[key] = value;
  }
  const source: ConfigSource = {
    get: (key) =>
      values[key] === undefined
        ? undefined
        : typeof values[key] === "string"
          ? (values[key] as string)
          : JSON.stringify(values[key]),
    getObject: <T>(key: string) =>
      values[key] === undefined
        ? undefined
        : ((typeof values[key] === "string"
            ? JSON.parse(values[key] as string)
            : values[key]) as T),
  };
  return { source, region };
}

export function loadStackFile(
  stack: string,
  overrides: Record<string, string | undefined> = {},
): StackConfig {
  const { source, region } = stackFileConfig(stack, overrides);
  return loadStackConfig(source, { project: PROJECT, stack, region });
}

/** Turns getPolicyDocument's arguments into the IAM JSON AWS would produce. */
interface StatementInput {
  sid?: string;
  effect?: string;
  actions?: string[];
  resources?: string[];
  principals?: { type: string; identifiers: string[] }[];
  conditions?: { test: string; variable: string; values: string[] }[];
}

function policyJson(inputs: { statements?: StatementInput[] }): string {
  const statements = (inputs.statements ?? []).map((s) => {
    const out: Record<string, unknown> = { Effect: s.effect ?? "Allow" };
    if (s.sid) out.Sid = s.sid;
    if (s.actions) out.Action = s.actions;
    if (s.resources) out.Resource = s.resources;
    if (s.principals) {
      const principal: Record<string, string[]> = {};
      for (const p of s.principals)
        principal[p.type] = [...(principal[p.type] ?? []), ...p.identifiers];
      out.Principal = s.principals.some((p) => p.type === "*") ? "*" : principal;
    }
    if (s.conditions) {
      const condition: Record<string, Record<string, string[]>> = {};
      for (const c of s.conditions)
        condition[c.test] = { ...(condition[c.test] ?? {}), [c.variable]: c.values };
      out.Condition = condition;
    }
    return out;
  });
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

function fakeState(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
): Record<string, unknown> {
  const service = type.split(":")[1]?.split("/")[0] ?? "x";
  const arn = `arn:aws:${service}:us-east-1:${ACCOUNT}:${name}`;
  const state: Record<string, unknown> = {
    ...inputs,
    arn,
    id: `${name}-id`,
    name: inputs.name ?? name,
  };
  switch (type) {
    case "aws:pinpoint/smsvoicev2PhoneNumber:Smsvoicev2PhoneNumber":
      return {
        ...state,
        arn: `arn:aws:sms-voice:us-east-1:${ACCOUNT}:phone-number/phone-0123`,
        phoneNumber: "+12065550100",
      };
    case "aws:pinpoint/smsvoicev2ConfigurationSet:Smsvoicev2ConfigurationSet":
      return {
        ...state,
        arn: `arn:aws:sms-voice:us-east-1:${ACCOUNT}:configuration-set/${String(inputs.name)}`,
      };
    case "aws:pinpoint/smsvoicev2OptOutList:Smsvoicev2OptOutList":
      return {
        ...state,
        arn: `arn:aws:sms-voice:us-east-1:${ACCOUNT}:opt-out-list/${String(inputs.name)}`,
      };
    case "aws:lb/loadBalancer:LoadBalancer":
      return {
        ...state,
        arnSuffix: `app/${name}/abc`,
        dnsName: `${name}.elb.amazonaws.com`,
        zoneId: "Z35SXDOTRQ7X7K",
      };
    case "aws:lb/targetGroup:TargetGroup":
      return { ...state, arnSuffix: `targetgroup/${name}/abc` };
    case "aws:sqs/queue:Queue":
      return { ...state, url: `https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/${name}`, name };
    case "aws:ecr/repository:Repository":
      return {
        ...state,
        repositoryUrl: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/${String(inputs.name)}`,
        registryId: ACCOUNT,
      };
    case "docker-build:index:Image":
      return { ...state, digest: "sha256:" + "a".repeat(64) };
    case "random:index/randomPassword:RandomPassword":
      return { ...state, result: `secret-${name}` };
    // IAM is global: no region, and the resource type in the ARN (the runtime validates the
    // Scheduler role's ARN, SEND_SCHEDULER_ROLE_ARN).
    case "aws:iam/role:Role":
      return { ...state, arn: `arn:aws:iam::${ACCOUNT}:role/${name}` };
    case "aws:kms/key:Key":
      return { ...state, arn: `arn:aws:kms:us-east-1:${ACCOUNT}:key/${name}`, keyId: name };
    case "aws:ec2/vpc:Vpc":
      return { ...state, cidrBlock: inputs.cidrBlock };
    case "aws:cloudwatch/dashboard:Dashboard":
      return { ...state, dashboardName: inputs.dashboardName };
    default:
      return state;
  }
}

/**
 * Runs the real program under Pulumi's mocks for one stack file and returns every resource it
 * registered, with its inputs, and the stack outputs.
 */
export async function runStackUnderMocks(
  stack: string,
  overrides: Record<string, string | undefined> = {},
) {
  const resources: Registered[] = [];
  const pendingUrns = new Map<string, { urn: string; aliasUrns: string[] }[]>();
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const custom = args.custom ?? true;
        const state = custom ? fakeState(args.type, args.name, args.inputs) : {};
        const urns = pendingUrns.get(`${args.type}::${args.name}`)?.shift();
        resources.push({
          type: args.type,
          name: args.name,
          inputs: args.inputs,
          state,
          custom,
          urn: urns?.urn ?? "",
          aliasUrns: urns?.aliasUrns ?? [],
        });
        return { id: custom ? `${args.name}-id` : "", state };
      },
      call(args) {
        switch (args.token) {
          case "aws:index/getCallerIdentity:getCallerIdentity":
            return { accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/test`, userId: "AID" };
          case "aws:index/getPartition:getPartition":
            return { partition: "aws", dnsSuffix: "amazonaws.com" };
          case "aws:index/getAvailabilityZones:getAvailabilityZones":
            return { names: ["us-east-1a", "us-east-1b"], zoneIds: ["use1-az1", "use1-az2"] };
          case "aws:iam/getPolicyDocument:getPolicyDocument":
            return { json: policyJson(args.inputs), id: "policy" };
          case "aws:elb/getServiceAccount:getServiceAccount":
            return { arn: "arn:aws:iam::127311923021:root", id: "127311923021" };
          case "aws:ecr/getAuthorizationToken:getAuthorizationToken":
            return {
              userName: "AWS",
              password: "token",
              proxyEndpoint: "https://ecr",
              authorizationToken: "x",
              expiresAt: "",
              id: "x",
            };
          case "aws:ec2/getVpc:getVpc":
            return { cidrBlock: "10.99.0.0/16", id: args.inputs.id };
          default:
            throw new Error(`unmocked invoke ${args.token}`);
        }
      },
    },
    PROJECT,
    stack,
    false,
  );
  recordUrns(pendingUrns);
  const { createStack } = await import("../stack");
  const config = loadStackFile(stack, overrides);
  const outputs = createStack(config);
  const resolved: Record<string, unknown> = {};
  for (const [key, output] of Object.entries(outputs)) {
    resolved[key] = await new Promise((resolve) =>
      (output as pulumi.Output<unknown>).apply(resolve),
    );
  }
  // Let registrations that do not feed an output finish too.
  let seen = -1;
  while (seen !== resources.length) {
    seen = resources.length;
    await new Promise((r) => setTimeout(r, 25));
  }
  return { config, resources, outputs: resolved };
}

/** The parts of the mock monitor's register request that name a resource and its aliases. */
interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getAliasesList(): {
    hasSpec(): boolean;
    getSpec(): {
      getName(): string;
      getType(): string;
      getParenturn(): string;
      getNoparent(): boolean;
    };
    getUrn(): string;
  }[];
}
interface MockMonitor {
  registerResource(req: RegisterRequest, callback: unknown): Promise<void>;
}

/**
 * The engine's URN: the type part chains the types of all ancestors (the mock monitor keeps only
 * the parent's), so a grandchild's URN changes when a component moves, as it does in a real stack.
 */
function urnOf(parentUrn: string, type: string, name: string): string {
  const qualified = parentUrn ? `${parentUrn.split("::")[2]}$${type}` : type;
  return `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::${qualified}::${name}`;
}

/**
 * Wraps the mock monitor so that each registration's URN and alias URNs are known: the mocks'
 * `newResource` sees neither the parent nor the aliases, and a refactor that moves a resource
 * must be checked against both.
 */
function recordUrns(into: Map<string, { urn: string; aliasUrns: string[] }[]>): void {
  const monitor = pulumi.runtime.getMonitor() as unknown as MockMonitor;
  const register = monitor.registerResource.bind(monitor);
  const aliasesOf = new Map<string, string[]>();
  monitor.registerResource = (req, callback) => {
    const type = req.getType();
    const name = req.getName();
    const aliasUrns = req.getAliasesList().map((alias) => {
      if (!alias.hasSpec()) return alias.getUrn();
      const spec = alias.getSpec();
      return urnOf(
        spec.getNoparent() ? "" : spec.getParenturn() || req.getParent(),
        spec.getType() || type,
        spec.getName() || name,
      );
    });
    // As the engine does: a child of an aliased parent is also known under each old parent URN.
    for (const parentAlias of aliasesOf.get(req.getParent()) ?? []) {
      aliasUrns.push(urnOf(parentAlias, type, name));
    }
    const urn = urnOf(req.getParent(), type, name);
    aliasesOf.set(urn, aliasUrns);
    const key = `${type}::${name}`;
    into.set(key, [...(into.get(key) ?? []), { urn, aliasUrns }]);
    return register(req, callback);
  };
}
