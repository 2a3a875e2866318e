/**
 * Starting servers for the benchmarks: one server under test in its own process (`serve.ts`), and
 * the built service from spawn to `/readyz` 200. Shared by `webhookThroughput.ts` and
 * `memorySoak.ts`.
 */
import { spawn } from "node:child_process";
import { createPrivateKey, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { inboundNotification, localSnsCa } from "../tests/support/snsSigner";
import { imageNodeFlags } from "./imageNodeFlags";
import type { ServeSpec } from "./serve";

/** One row of the bench's table and of bench/results.json (the shape webhookThroughput.ts uses). */
export interface BenchRow {
  name: string;
  /** The server's CPU time per request over the measured run: comparable on a loaded machine. */
  cpuUsPerRequest?: number;
  rps: number | null;
  p50: number | null;
  p99: number | null;
  ratio: number | null;
  target: string | null;
  met: boolean | null;
}

// node:sqlite is still flagged experimental on Node 22; its warning is noise in the table.
export const NODE_FLAGS = ["--disable-warning=ExperimentalWarning"];

// USER_HZ: 100 on every Linux this runs on (proc(5)).
const CLOCK_TICKS = 100;

export interface BenchServer {
  url: string;
  pid: number;
  /** CPU seconds (user + system) the server process has used so far. */
  cpuSeconds(): number;
  /** The server's resident set size now (VmRSS), in MiB. */
  rssMiB(): number;
  stop(): Promise<void>;
}

/**
 * Starts `serve.js` (next to this module once compiled) with `spec` and extra Node flags (a CPU
 * profile, the memory sampler); resolves once it listens. The service (`kind: "app"`) gets the
 * image's Node options too (`imageNodeFlags.ts`); the baselines run on plain Node.
 */
export async function startServer(
  spec: ServeSpec,
  nodeArgs: readonly string[] = [],
  env: Record<string, string> = {},
): Promise<BenchServer> {
  const imageOptions = spec.kind === "app" ? imageNodeFlags() : [];
  const child = spawn(
    process.execPath,
    [
      ...NODE_FLAGS,
      ...imageOptions,
      ...nodeArgs,
      join(__dirname, "serve.js"),
      JSON.stringify(spec),
    ],
    { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, ...env } },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
      const m = /listening (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once("exit", (code) => reject(new Error(`server exited with ${code}`)));
  });
  const pid = child.pid!;
  return {
    url,
    pid,
    cpuSeconds: () => {
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      // utime and stime, fields 14 and 15 of proc(5), counted from the state (field 3).
      return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
    },
    rssMiB: () => {
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

export function freePort(): Promise<number> {
  return new Promise<number>((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

/**
 * Milliseconds from spawning the built service (mock gateway, SQLite store in `dir`) to its first
 * `/readyz` 200, polled every 5 ms.
 */
export async function startToReady(dir: string): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  // dist/bench/bench/ -> dist/bench/runtime/src/main.js (tsconfig.bench.json compiles runtime/).
  const child = spawn(
    process.execPath,
    [...NODE_FLAGS, ...imageNodeFlags(), join(__dirname, "..", "runtime", "src", "main.js")],
    {
      env: {
        PATH: process.env.PATH ?? "",
        HOST: "127.0.0.1",
        PORT: String(port),
        AWS_REGION: "us-east-1",
        STORE: `sqlite:${join(dir, `ready-${port}.db`)}`,
        LOG_LEVEL: "warn",
        ...(process.env.NODE_COMPILE_CACHE
          ? { NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE }
          : {}),
      },
      stdio: "ignore",
    },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode}`);
      try {
        if ((await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200) {
          return performance.now() - started;
        }
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    child.kill("SIGTERM");
    await exited;
  }
}

/**
 * The start row: median of 5 starts to `/readyz` 200. One start first, untimed, writes Node's
 * compile cache (main.ts enables it), as the image ships with one written at build time.
 */
export async function startToReadyRow(dir: string): Promise<BenchRow> {
  await startToReady(dir);
  const starts: number[] = [];
  for (let i = 0; i < 5; i += 1) starts.push(await startToReady(dir));
  starts.sort((a, b) => a - b);
  const median = starts[2]!;
  return {
    name: "start to /readyz 200 (ms, median of 5, in ratio)",
    rps: null,
    p50: null,
    p99: null,
    ratio: median,
    target: "< 1000 ms",
    met: median < 1000,
  };
}

/**
 * `count` signed SNS notifications of distinct inbound replies (ids `<prefix>-<i>` from `first`)
 * from 8,000 patients to the bench's number: the webhook's load, each a new message the first
 * time. Signed with the local test CA's 2048-bit key, or with `key`.
 */
export function signedInboundBodies(
  count: number,
  prefix: string,
  options: { first?: number; key?: KeyObject } = {},
): string[] {
  const first = options.first ?? 0;
  // Parsed once: signing with the PEM text would parse it again for every notification.
  const key = options.key ?? createPrivateKey(localSnsCa().keyPem);
  return Array.from({ length: count }, (_, n) => {
    const i = first + n;
    return JSON.stringify(
      inboundNotification(
        {
          originationNumber: `+1425555${String(1000 + (i % 8000)).padStart(4, "0")}`,
          destinationNumber: "+18445550100",
          messageBody: `${prefix} ${i}`,
          inboundMessageId: `${prefix}-${i}`,
        },
        // Unique across the processes and threads that sign (each has its own default counter).
        {
          messageId: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
          key,
        },
      ),
    );
  });
}
