import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { AwsContext } from "./awsContext";
import { connectionName } from "./eventRouting";
import { SecretRotation } from "./secretRotation";

/** Days a deleted secret can be restored (Secrets Manager allows 7 to 30). */
export const SECRET_RECOVERY_WINDOW_DAYS = 30;

export interface RuntimeSecretsArgs {
  context: AwsContext;
  messagingKeyArn: pulumi.Input<string>;
  /** Rotation of the agent token and the EventBridge key (issue 14, config secretRotationDays). */
  rotation: {
    days: number;
    logsKeyArn: pulumi.Input<string>;
    logRetentionDays: number;
    apiKeyHeader: string;
  };
}

/**
 * The runtime's secrets (F2, M1), generated here and kept only as Pulumi secrets and in Secrets
 * Manager under the messaging CMK; the task reads them through `secrets`, never plain environment.
 */
export class RuntimeSecrets extends pulumi.ComponentResource {
  readonly agentApiToken: aws.secretsmanager.Secret;
  readonly eventBridgeApiKey: aws.secretsmanager.Secret;
  readonly patientRefKey: aws.secretsmanager.Secret;
  /** The EventBridge key's value, for the connection (a Pulumi secret). */
  readonly eventBridgeApiKeyValue: pulumi.Output<string>;
  readonly rotation: SecretRotation;

  constructor(name: string, args: RuntimeSecretsArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("eum-sms:service:RuntimeSecrets", name, {}, opts);
    const make = (suffix: string, description: string, extraTags: Record<string, string> = {}) => {
      const value = new random.RandomPassword(
        `${name}-${suffix}-value`,
        { length: 48, special: false },
        { parent: this },
      );
      const secret = new aws.secretsmanager.Secret(
        `${name}-${suffix}`,
        {
          // A generated suffix, not a fixed name: a deleted secret keeps its name for the whole
          // recovery window, so a fixed name would block re-creating a destroyed stack for 30
          // days (CreateSecret: "You can't create a secret with the same name as a secret that
          // is scheduled for deletion"). The window stays: it is the undo for a mistaken destroy.
          namePrefix: `${args.context.namePrefix}/${suffix}-`,
          description,
          kmsKeyId: args.messagingKeyArn,
          recoveryWindowInDays: SECRET_RECOVERY_WINDOW_DAYS,
          tags: { ...args.context.tags, ...extraTags },
        },
        { parent: this },
      );
      new aws.secretsmanager.SecretVersion(
        `${name}-${suffix}-version`,
        { secretId: secret.id, secretString: value.result },
        // Rotation adds versions and moves the stages; an up must not make the first value
        // current again.
        { parent: this, ignoreChanges: ["secretString", "versionStages"] },
      );
      return { secret, value: value.result };
    };
    this.agentApiToken = make(
      "agent-api-token",
      "Bearer token agents present to the /v1 API",
    ).secret;
    const eventBridge = make("eventbridge-api-key", "API key EventBridge sends to the webhook");
    this.eventBridgeApiKey = eventBridge.secret;
    this.eventBridgeApiKeyValue = pulumi.secret(eventBridge.value);
    this.patientRefKey = make(
      "patient-ref-key",
      "HMAC key that pseudonymises patient phone numbers; never rotate without migrating",
      { RotationExempt: "HMAC key: rotating it orphans every stored patient reference" },
    ).secret;
    this.rotation = new SecretRotation(
      `${name}-rotation`,
      {
        context: args.context,
        secretArns: [this.agentApiToken.arn, this.eventBridgeApiKey.arn],
        secretsKeyArn: args.messagingKeyArn,
        logsKeyArn: args.rotation.logsKeyArn,
        logRetentionDays: args.rotation.logRetentionDays,
        rotationDays: args.rotation.days,
        connection: {
          secretArn: this.eventBridgeApiKey.arn,
          name: connectionName(args.context.namePrefix),
          header: args.rotation.apiKeyHeader,
        },
      },
      { parent: this },
    );
    this.registerOutputs({});
  }

  get arns(): pulumi.Output<string>[] {
    return [this.agentApiToken.arn, this.eventBridgeApiKey.arn, this.patientRefKey.arn];
  }
}
