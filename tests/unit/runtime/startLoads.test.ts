import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort } from "../../support/motoServer";
import { repoRoot } from "../../support/paths";

/**
 * What a start loads: a mock, embedded-store start must not load the AWS SDK clients it does not
 * use (loading them is most of a start's time), and it compiles through Node's compile cache. Each
 * case runs built code (dist/, built by globalSetup) in its own process and reports the AWS SDK
 * packages in its `require.cache` and the compile cache's directory.
 */
const run = promisify(execFile);
const dist = join(repoRoot, "dist", "runtime", "src");
const SDK_PACKAGE = /node_modules\/(@aws-sdk\/(?:client-[^/]+|lib-dynamodb))\//;

// Runs in the child after `script`: what was loaded goes to LOADED_OUT.
const LIST_LOADED = `
  const sdk = new Set();
  for (const file of Object.keys(require.cache)) {
    const m = ${SDK_PACKAGE}.exec(file);
    if (m) sdk.add(m[1]);
  }
  const compileCacheDir = require("node:module").getCompileCacheDir?.() ?? null;
  require("node:fs").writeFileSync(
    process.env.LOADED_OUT,
    JSON.stringify({ sdk: [...sdk].sort(), compileCacheDir }),
  );
  process.exit(0);
`;

interface Loaded {
  /** The AWS SDK packages in require.cache. */
  sdk: string[];
  compileCacheDir: string | null;
  /** The child's temporary directory (its TMPDIR). */
  dir: string;
}

async function loadedBy(script: string, env: Record<string, string>): Promise<Loaded> {
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
        // Node's default compile cache directory is under os.tmpdir(): here, this test's own.
        TMPDIR: dir,
        LOADED_OUT: out,
        ...env,
      },
      timeout: 20_000,
    });
    return { ...(JSON.parse(readFileSync(out, "utf8")) as Omit<Loaded, "dir">), dir };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("what a start loads", () => {
  it("a mock, embedded-store start is ready without loading any AWS SDK client", async () => {
    const port = await freePort();
    const loaded = await loadedBy(
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
    expect(loaded.sdk).toEqual([]);
    // main.ts enables Node's compile cache (its default directory, as NODE_COMPILE_CACHE is unset).
    expect(loaded.compileCacheDir?.startsWith(loaded.dir)).toBe(true);
  });

  it("the DynamoDB store and the SQS queue load their clients when configured", async () => {
    const loaded = await loadedBy(
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
    expect(loaded.sdk).toEqual(
      expect.arrayContaining([
        "@aws-sdk/client-dynamodb",
        "@aws-sdk/lib-dynamodb",
        "@aws-sdk/client-sqs",
        "@aws-sdk/client-scheduler",
      ]),
    );
    expect(loaded.sdk).not.toContain("@aws-sdk/client-cloudwatch-logs");
  });

  it("the image's compile-cache warm-up loads every AWS SDK client a production start can load", async () => {
    const loaded = await loadedBy(
      `require(${JSON.stringify(join(dist, "warmCompileCache.js"))});`,
      {},
    );
    expect(loaded.sdk).toEqual([
      "@aws-sdk/client-cloudwatch-logs",
      "@aws-sdk/client-dynamodb",
      "@aws-sdk/client-pinpoint-sms-voice-v2",
      "@aws-sdk/client-scheduler",
      "@aws-sdk/client-secrets-manager",
      "@aws-sdk/client-sqs",
      "@aws-sdk/lib-dynamodb",
    ]);
    expect(loaded.compileCacheDir?.startsWith(loaded.dir)).toBe(true);
  });
});
