import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { findRepoRoot } from "../repoRoot";
import type { AwsContext } from "./awsContext";
import { createServiceRole } from "./serviceRole";

/** The handler's source, shipped inline: no build step, no bundle, no dependency. */
// From the repository root, so a compiled copy in dist/ (npm run review) finds it too.
export const ROTATION_HANDLER_SOURCE = readFileSync(
  join(findRepoRoot(), "infra", "rotation", "rotateSecretHandler.js"),
  "utf8",
);

export interface SecretRotationArgs {
  context: AwsContext;
  /** Secrets to rotate, by ARN. */
  secretArns: pulumi.Input<string>[];
  /** The key the secrets (and the function's logs) are encrypted with. */
  secretsKeyArn: pulumi.Input<string>;
  logsKeyArn: pulumi.Input<string>;
  logRetentionDays: number;
  rotationDays: number;
  /** The secret whose new value the EventBridge connection must get, and the connection. */
  connection: { secretArn: pulumi.Input<string>; name: string; header: string };
}

/**
 * Secrets Manager rotation of the runtime's bearer keys (M1): one small function whose role may
 * touch only these secrets, their key through Secrets Manager, its own log group and the one
 * EventBridge connection; a schedule per secret. The runtime accepts AWSPREVIOUS for an overlap
 * window (runtime/src/auth/rotatingSecret.ts), so callers holding the old value keep working.
 */
export class SecretRotation extends pulumi.ComponentResource {
  readonly function: aws.lambda.Function;
  readonly rotations: aws.secretsmanager.SecretRotation[];

  constructor(name: string, args: SecretRotationArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("eum-sms:service:SecretRotation", name, {}, opts);
    const { tags, namePrefix, accountId, region, partition } = args.context;
    const functionName = `${namePrefix}-rotate-secrets`;
    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      {
        name: `/aws/lambda/${functionName}`,
        kmsKeyId: args.logsKeyArn,
        retentionInDays: args.logRetentionDays,
        tags,
      },
      { parent: this },
    );
    const connectionArn = pulumi.interpolate`arn:${partition}:events:${region}:${accountId}:connection/${args.connection.name}/*`;
    const role = createServiceRole(
      {
        name: `${name}-fn`,
        policyName: `${name}-fn`,
        description: "Rotates the runtime's bearer keys and updates the EventBridge connection",
        service: "lambda.amazonaws.com",
        accountId,
        statements: [
          {
            actions: [
              "secretsmanager:DescribeSecret",
              "secretsmanager:GetSecretValue",
              "secretsmanager:PutSecretValue",
              "secretsmanager:UpdateSecretVersionStage",
            ],
            resources: args.secretArns,
          },
          {
            actions: ["kms:Decrypt", "kms:GenerateDataKey"],
            resources: [args.secretsKeyArn],
            conditions: [
              {
                test: "StringEquals",
                variable: "kms:ViaService",
                values: [`secretsmanager.${region}.amazonaws.com`],
              },
            ],
          },
          // UpdateConnection re-encrypts the connection's own secret (events!connection/...),
          // which EventBridge stores under the same key, through Secrets Manager.
          { actions: ["events:UpdateConnection"], resources: [connectionArn] },
          {
            actions: [
              "secretsmanager:CreateSecret",
              "secretsmanager:UpdateSecret",
              "secretsmanager:DescribeSecret",
              "secretsmanager:PutSecretValue",
            ],
            resources: [
              pulumi.interpolate`arn:${partition}:secretsmanager:${region}:${accountId}:secret:events!connection/${args.connection.name}/*`,
            ],
          },
          {
            actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
            resources: [pulumi.interpolate`${logGroup.arn}:*`],
          },
        ],
        tags,
      },
      { parent: this },
    );
    this.function = new aws.lambda.Function(
      `${name}-fn`,
      {
        name: functionName,
        description: "Secrets Manager rotation of the agent API token and EventBridge API key",
        runtime: "nodejs22.x",
        handler: "index.handler",
        code: new pulumi.asset.AssetArchive({
          "index.js": new pulumi.asset.StringAsset(ROTATION_HANDLER_SOURCE),
        }),
        role: role.arn,
        timeout: 30,
        memorySize: 256,
        loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
        environment: {
          variables: {
            CONNECTION_SECRET_ARN: args.connection.secretArn,
            CONNECTION_NAME: args.connection.name,
            CONNECTION_API_KEY_HEADER: args.connection.header,
          },
        },
        tags,
      },
      { parent: this, dependsOn: [logGroup] },
    );
    const permission = new aws.lambda.Permission(
      `${name}-invoke`,
      {
        function: this.function.name,
        action: "lambda:InvokeFunction",
        principal: "secretsmanager.amazonaws.com",
        sourceAccount: accountId,
      },
      { parent: this },
    );
    this.rotations = args.secretArns.map(
      (secretId, i) =>
        new aws.secretsmanager.SecretRotation(
          `${name}-${i}`,
          {
            secretId,
            rotationLambdaArn: this.function.arn,
            rotationRules: { automaticallyAfterDays: args.rotationDays },
          },
          { parent: this, dependsOn: [permission] },
        ),
    );
    this.registerOutputs({ functionArn: this.function.arn });
  }
}
