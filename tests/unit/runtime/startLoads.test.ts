import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort } from "../../support/motoServer";
import { repoRoot } from "../../support/paths";

/**
 * What a start loads: a mock, embedded-store start must not load the AWS SDK clients it does not
 * use (loading them is most of a start's time). Each case runs the built service (dist/, built by
 * globalSetup) in its own process and lists the AWS SDK packages in its `require.cache`.
 */
const run = promisify(execFile);
const dist = join(repoRoot, "dist", "runtime", "src");
const SDK_PACKAGE = /node_modules\/(@aws-sdk\/(?:client-[^/]+|lib-dynamodb))\//;

// Runs in the child: `script` does the work, then the loaded SDK packages go to LOADED_OUT.
const LIST_LOADED = `
  const sdk = new Set();
  for (const file of Object.keys(require.cache)) {
    const m = ${SDK_PACKAGE}.exec(file);
    if (m) sdk.add(m[1]);
  }
  require("node:fs").writeFileSync(process.env.LOADED_OUT, JSON.stringify([...sdk].sort()));
  process.exit(0);
`;

async function sdkPackagesLoaded(script: string, env: Record<string, string>): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), "eum-start-loads-"));
  try {
    const out = join(dir, "loaded.json");
    await run(process.execPath, ["-e", `(async () => { ${script} ${LIST_LOADED} })()`], {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH ?? "",
        AWS_REGION: "us-east-1",
        LOG_LEVEL: "error",
        STORE: `sqlite:${join(dir, "sms.db")}`,
        NODE_DISABLE_COMPILE_CACHE: "1",
        LOADED_OUT: out,
        ...env,
      },
      timeout: 20_000,
    });
    return JSON.parse(readFileSync(out, "utf8")) as string[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("what a start loads", () => {
  it("a mock, embedded-store start is ready without loading any AWS SDK client", async () => {
    const port = await freePort();
    const loaded = await sdkPackagesLoaded(
      `
      require(${JSON.stringify(join(dist, "main.js"))});
      for (;;) {
        try {
          if ((await fetch("http://127.0.0.1:${port}/readyz")).status === 200) break;
        } catch {}
        await new Promise((r) => setTimeout(r, 20));
      }
      `,
      { HOST: "127.0.0.1", PORT: String(port) },
    );
    expect(loaded).toEqual([]);
  });

  it("the DynamoDB store and the SQS queue load their clients when configured", async () => {
    const loaded = await sdkPackagesLoaded(
      `
      const { openStore } = require(${JSON.stringify(join(dist, "store", "openStore.js"))});
      const { openOutboundQueue } = require(
        ${JSON.stringify(join(dist, "outbound", "queue", "openOutboundQueue.js"))}
      );
      await openStore({ kind: "dynamodb", table: "eum-sms" }, "us-east-1");
      await openOutboundQueue({
        kind: "sqs",
        queueUrl: "https://sqs.us-east-1.amazonaws.com/123456789012/eum-sms-outbound",
        queueArn: "arn:aws:sqs:us-east-1:123456789012:eum-sms-outbound",
        scheduleGroup: "eum-sms-sends",
        schedulerRoleArn: "arn:aws:iam::123456789012:role/eum-sms-scheduler",
        region: "us-east-1",
      });
      `,
      {},
    );
    expect(loaded).toEqual(
      expect.arrayContaining([
        "@aws-sdk/client-dynamodb",
        "@aws-sdk/lib-dynamodb",
        "@aws-sdk/client-sqs",
        "@aws-sdk/client-scheduler",
      ]),
    );
    expect(loaded).not.toContain("@aws-sdk/client-cloudwatch-logs");
  });
});
