import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { freePort, TEST_CREDENTIALS } from "./motoServer";
import { repoRoot } from "./paths";

export interface RuntimeProcess {
  baseUrl: string;
  port: number;
  child: ChildProcess;
  /** Every line the process wrote to stdout and stderr. */
  output: string[];
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts the built runtime (dist/, built by globalSetup) as its own process on loopback. `root`
 * is the repository to run it from, for callers compiled elsewhere (the benchmarks in dist/bench).
 */
export async function startRuntime(
  env: Record<string, string>,
  port?: number,
  root: string = repoRoot,
): Promise<RuntimeProcess> {
  const listenPort = port ?? (await freePort());
  const output: string[] = [];
  const child = spawn(process.execPath, [join(root, "dist", "runtime", "src", "main.js")], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? "",
      HOST: "127.0.0.1",
      PORT: String(listenPort),
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
      LOG_LEVEL: "info",
      // Tests run at any hour: quiet hours would defer their sends (tests/outbound cover them).
      QUIET_HOURS: "off",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  for (const stream of [child.stdout!, child.stderr!]) {
    let rest = "";
    stream.on("data", (chunk: Buffer) => {
      const lines = (rest + chunk.toString()).split("\n");
      rest = lines.pop() ?? "";
      output.push(...lines);
    });
  }
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  );
  const baseUrl = `http://127.0.0.1:${listenPort}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`runtime exited: ${output.join("\n")}`);
    try {
      if ((await fetch(`${baseUrl}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`runtime did not start: ${output.join("\n")}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    baseUrl,
    port: listenPort,
    child,
    output,
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}
