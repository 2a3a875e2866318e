/**
 * Memory under load (issue 13, "Memory and start"): the service's RSS at the end of a minute at
 * full load, and its RSS slope over a soak at half that rate. `npm run bench:soak` runs it alone
 * with the start row (`startToReadyRow`); `memorySoak` returns its rows for `npm run bench`.
 *
 * The load is the bench's: signed SNS inbound notifications to `POST /sms/webhook`, 50
 * connections, the service with its real logger (on /dev/null) and SQLite store, in its own
 * process. The deliveries come from a pool of unique notifications; once the pool has been sent
 * the rest are redeliveries (SNS redelivers too), which take the duplicate path.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { localSnsCa, TEST_TOPIC_ARN } from "../tests/support/snsSigner";
import { signedInboundBodies, startServer, startToReadyRow, type BenchRow } from "./benchServer";
import { load } from "./load";
import { mergeIntoResults } from "./benchResults";

const SNS_HEADERS = {
  "content-type": "text/plain; charset=UTF-8",
  "x-amz-sns-message-type": "Notification",
};

export interface MemorySoakOptions {
  /** Seconds at full load before the RSS reading (BENCH_RSS_SECONDS, 60). */
  fullLoadSeconds?: number;
  /** Seconds of the soak at half the full-load rate (BENCH_SOAK_SECONDS, 300). */
  soakSeconds?: number;
  /** Soak seconds left out of the slope while the heap settles at the new rate (60). */
  warmUpSeconds?: number;
  /** How often RSS is read during the soak (5 s). */
  sampleSeconds?: number;
  /** Unique signed notifications in the pool (BENCH_SOAK_BODIES, 30000). */
  bodies?: number;
  connections?: number;
}

/** Least-squares slope of y over x. */
export function slope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return NaN;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const p of points) {
    sxy += (p.x - mx) * (p.y - my);
    sxx += (p.x - mx) ** 2;
  }
  return sxx === 0 ? NaN : sxy / sxx;
}

/**
 * Why 1 MiB per minute: a leak worth finding grows faster than that (100 bytes kept per request at
 * the soak's few hundred requests per second is 2 to 3 MiB per minute), and a task sized with a
 * few hundred MiB of headroom lasts days at less. The slope is only meaningful over several GC
 * cycles: V8's old space grows and is collected in a sawtooth (about 100 to 135 MiB and two
 * minutes per cycle here), and a window of two cycles can read a flat process as 1 to 2 MiB per
 * minute either way. Read the printed series, or soak longer (BENCH_SOAK_SECONDS=900).
 */
const SLOPE_TARGET_MIB_PER_MIN = 1;
const RSS_TARGET_MIB = 150;

export async function memorySoak(options: MemorySoakOptions = {}): Promise<BenchRow[]> {
  const fullLoadSeconds = options.fullLoadSeconds ?? Number(process.env.BENCH_RSS_SECONDS ?? 60);
  const soakSeconds = options.soakSeconds ?? Number(process.env.BENCH_SOAK_SECONDS ?? 300);
  const warmUpSeconds = Math.min(options.warmUpSeconds ?? 60, soakSeconds / 2);
  const sampleSeconds = options.sampleSeconds ?? 5;
  const connections = options.connections ?? Number(process.env.BENCH_CONNECTIONS ?? 50);
  const poolSize = options.bodies ?? Number(process.env.BENCH_SOAK_BODIES ?? 30000);

  const dir = mkdtempSync(join(tmpdir(), "eum-soak-"));
  try {
    const ca = localSnsCa();
    writeFileSync(join(dir, "cert.pem"), ca.certPem);
    console.log(`soak: signing ${poolSize} SNS deliveries...`);
    const bodies = signedInboundBodies(poolSize, "soak");
    const server = await startServer({
      kind: "app",
      logging: "on",
      dbPath: join(dir, "soak.db"),
      certPemPath: join(dir, "cert.pem"),
      topicArn: TEST_TOPIC_ARN,
      apiKey: "bench-eventbridge-key-0123456789",
      apiKeyHeader: "x-api-key",
      messageIds: [],
    });
    try {
      const drive = (bodies: readonly string[], seconds: number, overallRate?: number) =>
        load({
          url: server.url,
          headers: SNS_HEADERS,
          bodies,
          seconds,
          connections,
          ...(overallRate ? { overallRate } : {}),
        });
      await drive(bodies.slice(0, 100), 2);
      console.log(`soak: ${fullLoadSeconds} s at full load, then RSS...`);
      const full = await drive(bodies, fullLoadSeconds);
      const rssAfterFull = server.rssMiB();

      const rate = full.rps / 2;
      console.log(
        `soak: ${soakSeconds} s at ${Math.round(rate)} req/s (half of full load), RSS every ${sampleSeconds} s...`,
      );
      const samples: { x: number; y: number }[] = [];
      const started = performance.now();
      const sampler = setInterval(() => {
        samples.push({ x: (performance.now() - started) / 60_000, y: server.rssMiB() });
      }, sampleSeconds * 1000);
      let soak;
      try {
        soak = await drive(bodies, soakSeconds, rate);
      } finally {
        clearInterval(sampler);
      }
      // The series itself, for judging the slope: a sawtooth longer than the window reads as growth.
      console.log(
        `soak: RSS MiB by minute: ${samples.map((s) => `${s.x.toFixed(2)}:${s.y.toFixed(0)}`).join(" ")}`,
      );
      const settled = samples.filter((s) => s.x * 60 >= warmUpSeconds);
      const mibPerMinute = slope(settled);
      const rssValues = settled.map((s) => s.y);
      const failed = full.non2xx + full.errors + soak.non2xx + soak.errors;
      if (failed > 0) {
        console.log(`soak: FAILED REQUESTS: ${failed} non-2xx or errors`);
      }
      return [
        {
          name: `service RSS (MiB) after ${fullLoadSeconds} s at full load (in ratio)`,
          rps: full.rps,
          p50: full.p50,
          p99: full.p99,
          ratio: rssAfterFull,
          target: `< ${RSS_TARGET_MIB} MiB`,
          met: rssAfterFull < RSS_TARGET_MIB && failed === 0,
        },
        {
          name:
            `service RSS slope (MiB/min, in ratio) over ${soakSeconds - warmUpSeconds} s of a ` +
            `${soakSeconds} s soak at half load (${settled.length} samples, RSS ` +
            `${Math.min(...rssValues).toFixed(0)}-${Math.max(...rssValues).toFixed(0)} MiB)`,
          rps: soak.rps,
          p50: soak.p50,
          p99: soak.p99,
          ratio: mibPerMinute,
          target: `< ${SLOPE_TARGET_MIB_PER_MIN} MiB/min`,
          met: mibPerMinute < SLOPE_TARGET_MIB_PER_MIN && failed === 0,
        },
      ];
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `npm run bench:soak`: the start row and the memory rows, into bench/results.json ("memory"). */
async function main(): Promise<number> {
  const load1 = loadavg()[0]!;
  const dir = mkdtempSync(join(tmpdir(), "eum-start-"));
  const rows: BenchRow[] = [];
  try {
    console.log("start to /readyz, 5 starts...");
    rows.push(await startToReadyRow(dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  rows.push(...(await memorySoak()));
  const machine = {
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    loadAverageAtStart: load1,
    loadAverageAtEnd: loadavg()[0],
  };
  for (const r of rows) {
    console.log(
      `${r.name}: ${r.ratio?.toFixed(2)} (target ${r.target}: ${r.met ? "met" : "MISSED"})` +
        (r.rps === null ? "" : `; ${r.rps.toFixed(0)} req/s, p99 ${r.p99} ms`),
    );
  }
  console.log(
    `machine: ${machine.cpu}, ${machine.cores} cores, load ${load1.toFixed(1)} -> ${machine.loadAverageAtEnd?.toFixed(1)}; node ${process.version}`,
  );
  mergeIntoResults({ memory: { machine, node: process.version, rows } });
  return rows.every((r) => r.met !== false) ? 0 : 1;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
