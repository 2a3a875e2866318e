import * as pulumi from "@pulumi/pulumi";
import { secureDefaults } from "../secureDefaults";
import { DEFAULT_PORT } from "../../runtime/src/contract/runtimeContract";
import type { RuntimeServiceArgs } from "./runtimeService";

export const CONTAINER_NAME = "runtime";
export const CONTAINER_PORT = DEFAULT_PORT;

/**
 * The task's one container as ECS's JSON: non-root on a read-only root filesystem, the contract's
 * environment and secrets sorted by name (a stable diff), a health check on /healthz, logs to the
 * service log group.
 */
export function runtimeContainerDefinitions(args: RuntimeServiceArgs): pulumi.Output<string> {
  const { region } = args.context;
  return pulumi
    .all([
      args.imageRef,
      args.logGroupName,
      pulumi.output(args.environment),
      pulumi.output(args.secrets),
    ])
    .apply(([image, logGroup, environment, secrets]) =>
      JSON.stringify([
        {
          name: CONTAINER_NAME,
          image,
          essential: true,
          user: secureDefaults.containerUser,
          readonlyRootFilesystem: secureDefaults.readonlyRootFilesystem,
          privileged: false,
          portMappings: [{ containerPort: CONTAINER_PORT, protocol: "tcp" }],
          environment: Object.entries(environment)
            .map(([n, value]) => ({ name: n, value }))
            .sort((a, b) => a.name.localeCompare(b.name)),
          secrets: Object.entries(secrets)
            .map(([n, valueFrom]) => ({ name: n, valueFrom }))
            .sort((a, b) => a.name.localeCompare(b.name)),
          stopTimeout: secureDefaults.containerStopTimeoutSeconds,
          linuxParameters: { initProcessEnabled: true },
          healthCheck: {
            command: [
              "CMD",
              "node",
              "-e",
              `fetch('http://127.0.0.1:${CONTAINER_PORT}/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`,
            ],
            interval: 15,
            timeout: 3,
            retries: 3,
            startPeriod: 15,
          },
          logConfiguration: {
            logDriver: "awslogs",
            options: {
              "awslogs-group": logGroup,
              "awslogs-region": region,
              "awslogs-stream-prefix": CONTAINER_NAME,
            },
          },
        },
      ]),
    );
}
