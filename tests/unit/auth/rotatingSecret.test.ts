import {
  CreateSecretCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import {
  RotatingSecret,
  secretMatches,
  secretsManagerStages,
  type SecretStages,
} from "../../../runtime/src/auth/rotatingSecret";
import { startEmulator, TEST_CREDENTIALS, type Emulator } from "../../support/motoServer";

const HOUR = 3_600_000;
const OLD = "old-token-0123456789abcdef";
const NEW = "new-token-0123456789abcdef";

describe("RotatingSecret against moto's Secrets Manager (stages and versions)", () => {
  let moto: Emulator;
  let client: SecretsManagerClient;
  beforeAll(async () => {
    moto = await startEmulator();
    client = new SecretsManagerClient({
      endpoint: moto.endpoint,
      region: "us-east-1",
      credentials: TEST_CREDENTIALS,
    });
  }, 30_000);
  afterAll(async () => {
    client?.destroy();
    await moto?.stop();
  });

  it("accepts the current and the previous value during the overlap, and refuses the old one after", async () => {
    const name = `token-${Date.now()}`;
    await client.send(new CreateSecretCommand({ Name: name, SecretString: OLD }));
    let clock = Date.now();
    const secret = new RotatingSecret({
      initial: OLD,
      stages: secretsManagerStages(client, name),
      overlapMs: 24 * HOUR,
      refreshMs: 60_000,
      now: () => clock,
    });
    await secret.refresh();
    expect(secret.matches(OLD)).toBe(true);
    expect(secret.matches(NEW)).toBe(false);

    // What the rotation function's finishSecret leaves: NEW is AWSCURRENT, OLD is AWSPREVIOUS.
    await client.send(new PutSecretValueCommand({ SecretId: name, SecretString: NEW }));
    expect(secret.matches(NEW)).toBe(false); // not until the next read
    await secret.refresh();
    expect(secret.matches(NEW)).toBe(true);
    expect(secret.matches(OLD)).toBe(true);
    expect(secret.matches("something-else-entirely")).toBe(false);

    // moto stamps versions with its own clock in whole seconds: measure the window from now.
    clock = Date.now() + 24 * HOUR + 1_000;
    expect(secret.matches(NEW)).toBe(true);
    expect(secret.matches(OLD)).toBe(false);
  });

  it("a secret never rotated has no previous value, and the start value is replaced by the stored one", async () => {
    const name = `fresh-${Date.now()}`;
    await client.send(new CreateSecretCommand({ Name: name, SecretString: NEW }));
    const secret = new RotatingSecret({
      initial: OLD,
      stages: secretsManagerStages(client, name),
      overlapMs: HOUR,
      refreshMs: 60_000,
    });
    await secret.refresh();
    expect(secret.matches(NEW)).toBe(true);
    expect(secret.matches(OLD)).toBe(false);
  });
});

describe("RotatingSecret with a failing source", () => {
  it("keeps the last known values when Secrets Manager cannot be read, and reports the error", async () => {
    let fail = false;
    const stages: SecretStages = {
      get: async (stage) => {
        if (fail) throw new Error("network down");
        return stage === "AWSCURRENT" ? { value: NEW, createdAt: new Date() } : undefined;
      },
    };
    const errors: unknown[] = [];
    const secret = new RotatingSecret({
      initial: OLD,
      stages,
      overlapMs: HOUR,
      refreshMs: 60_000,
      onRefreshError: (e) => errors.push(e),
    });
    await secret.refresh();
    fail = true;
    await secret.refresh();
    expect(errors).toHaveLength(1);
    expect(secret.matches(NEW)).toBe(true);
  });

  it("secretMatches compares a fixed value too", () => {
    expect(secretMatches(OLD, OLD)).toBe(true);
    expect(secretMatches(NEW, OLD)).toBe(false);
  });
});
