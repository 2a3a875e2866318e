// The SDK is loaded when a secret is first read: the webhook and the agent API import this module
// for `secretMatches`, and a task without rotated secrets never needs it.
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { digestOf, ExpectedSecret } from "./constantTimeEqual";

/** One staged version of a secret, as Secrets Manager returns it. */
export interface StagedValue {
  value: string;
  /** When this version was created: for AWSCURRENT, when the last rotation finished. */
  createdAt: Date;
}

/** Reads a secret's AWSCURRENT and AWSPREVIOUS values; undefined when a stage has no version. */
export interface SecretStages {
  get(stage: "AWSCURRENT" | "AWSPREVIOUS"): Promise<StagedValue | undefined>;
}

/** Something a presented credential is compared with: a fixed value or a rotating secret. */
export type SecretCheck = string | { matches(presented: string): boolean };

export function secretMatches(presented: string, expected: SecretCheck): boolean {
  return comparableSecret(expected).matches(presented);
}

/**
 * The check a route keeps for its whole life: a fixed value becomes an `ExpectedSecret`, hashed
 * once here rather than on every request; a rotating secret is already one.
 */
export function comparableSecret(check: SecretCheck): { matches(presented: string): boolean } {
  return typeof check === "string" ? new ExpectedSecret(check) : check;
}

export interface RotatingSecretOptions {
  /** The value the task started with (ECS injects AWSCURRENT; locally the env value). */
  initial: string;
  stages: SecretStages;
  /** How long after a rotation the previous value is still accepted. */
  overlapMs: number;
  /** How often to re-read the stages. */
  refreshMs: number;
  now?: () => number;
  /** Called when a refresh fails; the last known values stay in force. Never given the value. */
  onRefreshError?: (error: unknown) => void;
}

/**
 * A secret that Secrets Manager rotates (M1): accepts AWSCURRENT, and AWSPREVIOUS until
 * `overlapMs` after the current version was created, so callers holding the old value keep
 * working while they pick up the new one; re-reads both stages every `refreshMs`, so a rotation
 * reaches the running task without a restart.
 */
export class RotatingSecret {
  private current: StagedValue;
  // The current and previous values as digests, made when they are read rather than per request.
  private currentSecret: ExpectedSecret;
  private previousSecret: ExpectedSecret | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly options: RotatingSecretOptions) {
    this.now = options.now ?? Date.now;
    // Until the first read, the start value counts as a version as old as the epoch: no overlap
    // is granted to anything else.
    this.current = { value: options.initial, createdAt: new Date(0) };
    this.currentSecret = new ExpectedSecret(options.initial);
  }

  matches(presented: string): boolean {
    // Both comparisons always run, so the time taken does not say which value matched.
    const digest = digestOf(presented);
    const isCurrent = this.currentSecret.matchesDigest(digest, presented.length);
    const previous = this.previousSecret;
    const isPrevious =
      previous !== undefined &&
      previous.matchesDigest(digest, presented.length) &&
      this.now() < this.current.createdAt.getTime() + this.options.overlapMs;
    return isCurrent || isPrevious;
  }

  /** Reads both stages now; keeps the last known values if Secrets Manager cannot be reached. */
  async refresh(): Promise<void> {
    try {
      const [current, previous] = await Promise.all([
        this.options.stages.get("AWSCURRENT"),
        this.options.stages.get("AWSPREVIOUS"),
      ]);
      if (current === undefined) throw new Error("the secret has no AWSCURRENT version");
      this.current = current;
      this.currentSecret = new ExpectedSecret(current.value);
      this.previousSecret = previous === undefined ? undefined : new ExpectedSecret(previous.value);
    } catch (error) {
      this.options.onRefreshError?.(error);
    }
  }

  /** Reads once, then on an interval that does not keep the process alive. */
  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.options.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

/** The stages of one secret from Secrets Manager (the task role may GetSecretValue on it). */
export function secretsManagerStages(client: SecretsManagerClient, secretId: string): SecretStages {
  return {
    async get(stage) {
      const { GetSecretValueCommand, ResourceNotFoundException } =
        await import("@aws-sdk/client-secrets-manager");
      try {
        const out = await client.send(
          new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage }),
        );
        if (out.SecretString === undefined) return undefined;
        return { value: out.SecretString, createdAt: out.CreatedDate ?? new Date(0) };
      } catch (error) {
        // A secret never rotated has no AWSPREVIOUS version.
        if (stage === "AWSPREVIOUS" && error instanceof ResourceNotFoundException) return undefined;
        throw error;
      }
    },
  };
}

/**
 * The runtime's two rotated credentials: each a RotatingSecret when its secret id is configured
 * (in AWS: the task reads the stages itself), else the fixed env value (local runs, tests).
 */
export async function startRotatingCredentials(
  config: {
    region: string;
    agentApiToken: string;
    eventBridgeApiKey: string | undefined;
    rotation: {
      agentApiTokenSecretId: string | undefined;
      eventBridgeApiKeySecretId: string | undefined;
      refreshSeconds: number;
      overlapSeconds: number;
    };
  },
  onRefreshError: (secret: string, error: unknown) => void,
  client: () => SecretsManagerClient | Promise<SecretsManagerClient> = async () => {
    const { SecretsManagerClient } = await import("@aws-sdk/client-secrets-manager");
    return new SecretsManagerClient({ region: config.region });
  },
): Promise<{
  agentApiToken: SecretCheck;
  eventBridgeApiKey: SecretCheck | undefined;
  stop(): void;
}> {
  const { rotation } = config;
  const started: RotatingSecret[] = [];
  let sm: SecretsManagerClient | undefined;
  const rotating = async (name: string, initial: string, secretId: string | undefined) => {
    if (secretId === undefined) return initial;
    sm ??= await client();
    const secret = new RotatingSecret({
      initial,
      stages: secretsManagerStages(sm, secretId),
      overlapMs: rotation.overlapSeconds * 1000,
      refreshMs: rotation.refreshSeconds * 1000,
      onRefreshError: (error) => onRefreshError(name, error),
    });
    await secret.start();
    started.push(secret);
    return secret;
  };
  const agentApiToken = await rotating(
    "AGENT_API_TOKEN",
    config.agentApiToken,
    rotation.agentApiTokenSecretId,
  );
  const eventBridgeApiKey =
    config.eventBridgeApiKey === undefined
      ? undefined
      : await rotating(
          "EVENTBRIDGE_API_KEY",
          config.eventBridgeApiKey,
          rotation.eventBridgeApiKeySecretId,
        );
  return {
    agentApiToken,
    eventBridgeApiKey,
    stop: () => started.forEach((s) => s.stop()),
  };
}
