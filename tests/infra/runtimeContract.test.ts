import { loadConfig } from "../../runtime/src/config";
import {
  DEPLOYED_ENVIRONMENT,
  DEPLOYED_SECRETS,
  NOT_SET_BY_THE_STACK,
} from "../../runtime/src/contract/runtimeContract";
import { CONTAINER_PORT } from "../../infra/components/runtimeService";
import { runStackUnderMocks, type Registered } from "../../infra/review/mockProgram";
import { one } from "../support/stackResources";

interface Container {
  environment: { name: string; value: string }[];
  secrets: { name: string; valueFrom: string }[];
  portMappings: { containerPort: number }[];
}

/** Runs the config loader on `env` and returns it with the names the loader looked up. */
function namesRead(env: Record<string, string>): { read: Set<string>; load: () => unknown } {
  const read = new Set<string>();
  const watched = new Proxy(env, {
    get(target, key) {
      if (typeof key === "string") read.add(key);
      return target[key as string];
    },
  });
  return { read, load: () => loadConfig(watched) };
}

describe.each(["dev", "prod"])("the runtime contract in the %s stack", (stack) => {
  let resources: Registered[];
  let container: Container;
  let deployedEnv: Record<string, string>;

  beforeAll(async () => {
    ({ resources } = await runStackUnderMocks(stack));
    const task = one(resources, "aws:ecs/taskDefinition:TaskDefinition", "-runtime-task");
    const containers = JSON.parse(task.inputs.containerDefinitions as string) as Container[];
    expect(containers).toHaveLength(1);
    container = containers[0]!;
    // Secrets Manager's values are not in the plan: any value long enough for the loader.
    deployedEnv = Object.fromEntries([
      ...container.environment.map((e) => [e.name, e.value]),
      ...container.secrets.map((s) => [s.name, `secret-value-of-${s.name}`]),
    ]);
  }, 60_000);

  it("the task definition sets exactly the contract's environment and secrets", () => {
    expect(container.environment.map((e) => e.name).sort()).toEqual(
      [...DEPLOYED_ENVIRONMENT].sort(),
    );
    expect(container.secrets.map((s) => s.name).sort()).toEqual([...DEPLOYED_SECRETS].sort());
    expect(container.portMappings.map((p) => p.containerPort)).toEqual([CONTAINER_PORT]);
  });

  it("the config loader accepts the task's settings and reads every one of them", () => {
    const { read, load } = namesRead(deployedEnv);
    const config = load() as ReturnType<typeof loadConfig>;
    for (const name of [...DEPLOYED_ENVIRONMENT, ...DEPLOYED_SECRETS]) expect(read).toContain(name);
    expect(config).toMatchObject({
      useMockSms: false,
      port: CONTAINER_PORT,
      optOutListName: `eum-sms-${stack}-optouts`,
      publicBaseUrl: expect.stringMatching(/^https:\/\/[a-z0-9.-]+$/),
      trustedProxyHops: 1,
      store: { kind: "dynamodb", table: `eum-sms-${stack}-conversations` },
    });
  });

  it("the config loader reads no setting the contract does not name", () => {
    const known = new Set<string>([
      ...DEPLOYED_ENVIRONMENT,
      ...DEPLOYED_SECRETS,
      ...Object.keys(NOT_SET_BY_THE_STACK),
    ]);
    // The deployed settings, mock mode's defaults, and the emulator branch that reads the most.
    const envs: Record<string, string>[] = [
      deployedEnv,
      {},
      { ...deployedEnv, SNS_CERT_FETCH_OVERRIDE: "http://127.0.0.1:9", LOCAL_LOOP: "true" },
    ];
    const read = new Set<string>();
    for (const env of envs) {
      const run = namesRead(env);
      try {
        run.load();
      } catch {
        // A refused combination still shows which names the loader looked at.
      }
      for (const name of run.read) read.add(name);
    }
    expect([...read].filter((name) => !known.has(name))).toEqual([]);
    expect([...known].filter((name) => !read.has(name))).toEqual([]);
  });

  it("the task role may read this number's opt-out list and no other", () => {
    const policy = JSON.parse(
      one(resources, "aws:iam/policy:Policy", "-runtime-task").inputs.policy as string,
    ) as { Statement: { Sid?: string; Action: string[]; Resource: string[] }[] };
    const optOuts = policy.Statement.filter((s) =>
      s.Action.includes("sms-voice:DescribeOptedOutNumbers"),
    );
    expect(optOuts).toEqual([
      expect.objectContaining({
        Action: ["sms-voice:DescribeOptedOutNumbers"],
        // The IAM resource type of DescribeOptedOutNumbers is the opt-out list.
        Resource: [
          `arn:aws:sms-voice:us-east-1:123456789012:opt-out-list/eum-sms-${stack}-optouts`,
        ],
      }),
    ]);
  });
});
