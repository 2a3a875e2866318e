import { execFileSync } from "node:child_process";
import { startDynamoDbEmulator, startEmulator } from "./motoServer";
import { repoRoot } from "./paths";

/**
 * One AWS emulator for the whole run: `AWS_ENDPOINT_URL` when given (LocalStack, or a moto started
 * by hand), otherwise moto_server on a free loopback port, stopped by globalTeardown.
 */
export default async function globalSetup(): Promise<void> {
  // The end-to-end tests run the built service as a real process.
  execFileSync(
    process.execPath,
    [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json"],
    {
      cwd: repoRoot,
      stdio: "inherit",
    },
  );
  if (process.env.AWS_ENDPOINT_URL) return;
  const [emulator, dynamoDb] = await Promise.all([startEmulator(), startDynamoDbEmulator()]);
  process.env.EUM_TEST_EMULATOR = emulator.endpoint;
  process.env.EUM_TEST_DYNAMODB_EMULATOR = dynamoDb.endpoint;
  (globalThis as { __eumEmulators?: (typeof emulator)[] }).__eumEmulators = [emulator, dynamoDb];
}
