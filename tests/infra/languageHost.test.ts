import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const infraDir = join(__dirname, "../../infra");

/**
 * `pulumi up` compiles the program with the ts-node registration of the installed
 * @pulumi/pulumi's cmd/run, from infra/, with the tsconfig.json it finds there (or its own
 * defaults). The other infra tests import the program through ts-jest and the root tsconfig, so
 * they cannot see a compile error only the CLI meets (issue 8, finding 1).
 */
async function loadAsTheCliDoes(stack: string) {
  const { stdout } = await run(
    process.execPath,
    [join(__dirname, "languageHost/runProgram.cjs"), stack],
    {
      cwd: infraDir,
      env: { ...process.env, NODE_OPTIONS: "" },
      maxBuffer: 16 * 1024 * 1024,
    },
  ).catch((err: { stdout?: string; stderr?: string }) => ({
    stdout: err.stdout ?? "",
    stderr: err.stderr,
  }));
  const last = stdout.trim().split("\n").pop() ?? "";
  return JSON.parse(last || "{}") as {
    ok: boolean;
    error?: string;
    cwd?: string;
    resources?: number;
    outputs?: string[];
  };
}

describe.each(["dev", "staging", "prod"])(
  "the %s stack under the Pulumi CLI's Node language host",
  (stack) => {
    it("compiles, type-checks and runs to its stack outputs", async () => {
      const result = await loadAsTheCliDoes(stack);
      expect(result.error).toBeUndefined();
      expect(result.ok).toBe(true);
      expect(result.cwd).toBe(infraDir);
      expect(result.resources).toBeGreaterThan(50);
      expect(result.outputs).toEqual(
        expect.arrayContaining([
          "webhookUrl",
          "phoneNumber",
          "inboundTopicArn",
          "tableName",
          "alarmTopicArn",
        ]),
      );
    }, 300_000);
  },
);
