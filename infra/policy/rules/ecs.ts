/** ECS on Fargate: task definition, service and cluster. */
import { resourcePolicy, type HipaaPolicy, type PeerRuleNote, str, type Props } from "../policyKit";

const SECRET_NAME = /(TOKEN|SECRET|PASSWORD|PASSWD|API_KEY|PRIVATE_KEY|_KEY)$/i;

export const ecsPolicies: HipaaPolicy[] = [
  resourcePolicy({
    name: "ecs-task-hardened",
    control: "F2",
    sources: [
      "AwsSolutions-ECS2",
      "AwsSolutions-ECS7",
      "CKV_AWS_336",
      "CKV_AWS_334",
      "CKV_AWS_335",
      "CKV_AWS_249",
      "HIPAA.Security-ECSTaskDefinitionUserForHostMode",
    ],
    description:
      "Containers run read-only, non-root, unprivileged, log to CloudWatch, take secrets from Secrets Manager; task and execution roles differ",
    enforcementLevel: "mandatory",
    remediation:
      "keep the RuntimeService container definition (secureDefaults.readonlyRootFilesystem, containerUser) and pass secrets as `secrets`",
    types: ["aws:ecs/taskDefinition:TaskDefinition"],
    check: (p) => {
      let containers: Props[] = [];
      try {
        containers = JSON.parse(str(p.containerDefinitions) || "[]") as Props[];
      } catch {
        return ["containerDefinitions is not JSON"];
      }
      const problems = containers.flatMap((c) => {
        const name = str(c.name);
        const env = ((c.environment as Props[] | undefined) ?? []).map((e) => str(e.name));
        const user = str(c.user);
        return [
          ...(c.readonlyRootFilesystem === true ? [] : [`${name}: root filesystem is writable`]),
          ...(user === "" || user === "root" || user.startsWith("0")
            ? [`${name}: runs as root`]
            : []),
          ...(c.privileged === true ? [`${name}: runs privileged`] : []),
          ...(((c.logConfiguration as Props | undefined)?.logDriver ?? "") === ""
            ? [`${name}: has no log configuration`]
            : []),
          ...env
            .filter((n) => SECRET_NAME.test(n))
            .map((n) => `${name}: secret-looking ${n} is plain environment`),
        ];
      });
      if (p.pidMode === "host") problems.push("the task shares the host PID namespace");
      if (p.taskRoleArn !== undefined && p.taskRoleArn === p.executionRoleArn)
        problems.push("task and execution roles are the same role");
      return problems;
    },
  }),
  resourcePolicy({
    name: "ecs-service-private-with-rollback",
    control: "F1",
    sources: ["CKV_AWS_333", "pulumi-awsx#354"],
    alsoControls: ["F5"],
    description: "Services run without public IPs and roll back failed deployments",
    enforcementLevel: "mandatory",
    remediation:
      "keep assignPublicIp: false and deploymentCircuitBreaker {enable, rollback} (RuntimeService)",
    types: ["aws:ecs/service:Service"],
    check: (p) => [
      ...((p.networkConfiguration as Props | undefined)?.assignPublicIp === true
        ? ["tasks get public IPs"]
        : []),
      ...((p.deploymentCircuitBreaker as Props | undefined)?.rollback === true
        ? []
        : ["failed deployments do not roll back"]),
    ],
  }),
  resourcePolicy({
    name: "ecs-cluster-container-insights",
    control: "F3",
    sources: ["AwsSolutions-ECS4", "CKV_AWS_65"],
    description: "Clusters have Container Insights",
    enforcementLevel: "mandatory",
    remediation: "set the containerInsights setting to enabled (RuntimeService)",
    types: ["aws:ecs/cluster:Cluster"],
    check: (p) =>
      ((p.settings as Props[] | undefined) ?? []).some(
        (s) => s.name === "containerInsights" && ["enabled", "enhanced"].includes(str(s.value)),
      )
        ? []
        : ["Container Insights is off"],
  }),
];

export const ecsNotes: PeerRuleNote[] = [
  {
    rule: "CKV_AWS_332",
    status: "unguarded",
    reason:
      "the service runs on platformVersion LATEST (secureDefaults.fargatePlatformVersion); no policy checks it",
  },
  {
    rule: "CKV_AWS_97",
    status: "not-applicable",
    reason: "the task definition mounts no EFS volume",
  },
  {
    rule: "CKV_AWS_223",
    status: "not-applicable",
    reason:
      "ECS Exec is off (enableExecuteCommand: false in RuntimeService), so there is no exec session to log",
  },
  {
    rule: "CKV_AWS_224",
    status: "not-applicable",
    reason:
      "ECS Exec is off (enableExecuteCommand: false in RuntimeService), so there is no exec channel to encrypt",
  },
];
