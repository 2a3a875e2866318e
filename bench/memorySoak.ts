/**
 * Memory under load (issue 13, "Memory and start"): the service's RSS at the end of a minute at
 * full load, and its RSS slope over a soak at half that rate. `npm run bench:soak` runs it alone
 * with the start row (`startToReadyRow`); `memorySoak` returns its rows for `npm run bench`.
 *
 * The load is the bench's: signed SNS inbound notifications to `POST /sms/webhook`, 50
 * connections, the service with its real logger (on /dev/null) and SQLite store, in its own
 * process, started with the image's Node options (`imageNodeFlags`). Every notification is a new
 * inbound message, for the whole run (`SignedBodyStream`): the full-load minute is signed before it
 * starts (the signing would otherwise take the service's CPU), the soak's is signed as it goes by
 * one worker thread, with a 1024-bit test certificate (see `signedBodyStream.ts`).
 *
 * The service carries `memorySampler.ts` (bench-only, `--require`): where its memory is, once a
 * second, printed at the end of each phase, and the live heap after a forced full GC at the end
 * of each phase (the one figure a leak must grow).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { localSnsCa, TEST_TOPIC_ARN } from "../tests/support/snsSigner";
import { startServer, startToReadyRow, type BenchRow, type BenchServer } from "./benchServer";
import { load } from "./load";
import { imageNodeFlags, imageNodeMajor, notImageNodeWarning } from "./imageNodeFlags";
import { mergeIntoResults } from "./benchResults";
import type { MemorySample } from "./memorySampler";
import { SignedBodyStream } from "./signedBodyStream";

const SNS_HEADERS = {
  "content-type": "text/plain; charset=UTF-8",
  "x-amz-sns-message-type": "Notification",
};
// The soak signs with a smaller key than SNS's 2048 bits, so that one worker keeps up.
const SOAK_KEY_BITS = 1024;

export interface MemorySoakOptions {
  /** Seconds at full load before the RSS reading (BENCH_RSS_SECONDS, 60). */
  fullLoadSeconds?: number;
  /** Seconds of the soak at half the full-load rate (BENCH_SOAK_SECONDS, 300). */
  soakSeconds?: number;
  /** Soak seconds left out of the slope while the heap settles at the new rate (60). */
  warmUpSeconds?: number;
  /** How often RSS is read during the soak (5 s). */
  sampleSeconds?: number;
  /**
   * Notifications signed before the full-load minute (BENCH_RSS_BODIES, 9,000 per second of it:
   * above the quiet machine's full-load rate). Past them, the rest are signed inline, counted.
   */
  fullLoadBodies?: number;
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
 * the soak's few thousand requests per second is 15 MiB per minute), and a task sized with a few
 * hundred MiB of headroom lasts days at less. RSS alone cannot tell a leak from V8's old space,
 * which fills with promoted garbage and is collected in a sawtooth whose period can be minutes:
 * so the soak also reports the old space's floor after each of V8's own full GCs, and the live
 * heap after a forced full GC at the end of each phase.
 */
const SLOPE_TARGET_MIB_PER_MIN = 1;
const RSS_TARGET_MIB = 150;

/** The sampler's lines, the samples after a forced full GC marked `afterGc`. */
function readSamples(path: string): MemorySample[] {
  return readFileSync(path, "utf8")
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as MemorySample);
}

/** Sends SIGUSR2 (the sampler's forced full GC) and returns the sample written after it. */
async function liveHeapAfterFullGc(server: BenchServer, path: string): Promise<MemorySample> {
  const before = readSamples(path).filter((s) => s.afterGc).length;
  process.kill(server.pid, "SIGUSR2");
  for (let i = 0; i < 100; i += 1) {
    await new Promise((r) => setTimeout(r, 50));
    const gcs = readSamples(path).filter((s) => s.afterGc);
    if (gcs.length > before) return gcs.at(-1)!;
  }
  throw new Error("the memory sampler wrote no sample after a forced GC");
}

/** One line on where the memory is: RSS by kind, V8's spaces, what is outside the V8 heap. */
function breakdown(s: MemorySample): string {
  const v8Committed = Object.values(s.spaces).reduce((sum, sp) => sum + sp.physical, 0);
  const sp = (name: string) => s.spaces[name] ?? { physical: 0, used: 0 };
  const other = s.rssAnon - v8Committed - s.external;
  return (
    `RSS ${s.rss.toFixed(0)} MiB = file-backed ${s.rssFile.toFixed(0)} (node binary, ICU) + ` +
    `anonymous ${s.rssAnon.toFixed(0)}: V8 heap ${v8Committed.toFixed(0)} committed ` +
    `(new space ${sp("new_space").physical.toFixed(0)}, old space ` +
    `${sp("old_space").physical.toFixed(0)} of which ${sp("old_space").used.toFixed(0)} in use, ` +
    `code+trusted+large ${(v8Committed - sp("new_space").physical - sp("old_space").physical).toFixed(0)}), ` +
    `external ${s.external.toFixed(0)}, malloc and the rest ${other.toFixed(0)}; ` +
    `GCs so far: ${s.gc.minor} scavenges, ${s.gc.major} mark-compacts, ${(s.gc.ms / 1000).toFixed(1)} s`
  );
}

export async function memorySoak(options: MemorySoakOptions = {}): Promise<BenchRow[]> {
  const fullLoadSeconds = options.fullLoadSeconds ?? Number(process.env.BENCH_RSS_SECONDS ?? 60);
  const soakSeconds = options.soakSeconds ?? Number(process.env.BENCH_SOAK_SECONDS ?? 300);
  const warmUpSeconds = Math.min(options.warmUpSeconds ?? 60, soakSeconds / 2);
  const sampleSeconds = options.sampleSeconds ?? 5;
  const connections = options.connections ?? Number(process.env.BENCH_CONNECTIONS ?? 50);
  const fullLoadBodies =
    options.fullLoadBodies ?? Number(process.env.BENCH_RSS_BODIES ?? fullLoadSeconds * 9000);

  const dir = mkdtempSync(join(tmpdir(), "eum-soak-"));
  const ca = localSnsCa(SOAK_KEY_BITS);
  writeFileSync(join(dir, "cert.pem"), ca.certPem);
  // Two workers while the service waits; one during the soak (the service keeps a core).
  const stream = new SignedBodyStream({
    keyPem: ca.keyPem,
    prefix: `soak-${Date.now()}`,
    workers: 2,
    highWater: fullLoadBodies,
  });
  try {
    console.log(`soak: signing ${fullLoadBodies} SNS deliveries for the full-load minute...`);
    const signingStarted = performance.now();
    await stream.fill(fullLoadBodies);
    console.log(`soak: signed in ${((performance.now() - signingStarted) / 1000).toFixed(0)} s`);
    const samplesPath = join(dir, "memory.jsonl");
    const server = await startServer(
      {
        kind: "app",
        logging: "on",
        dbPath: join(dir, "soak.db"),
        certPemPath: join(dir, "cert.pem"),
        topicArn: TEST_TOPIC_ARN,
        apiKey: "bench-eventbridge-key-0123456789",
        apiKeyHeader: "x-api-key",
        messageIds: [],
      },
      ["--require", join(__dirname, "memorySampler.js")],
      { BENCH_MEMORY_SAMPLES: samplesPath },
    );
    console.log(
      `soak: the service runs with the image's Node options: ${imageNodeFlags().join(" ")}`,
    );
    try {
      const drive = (seconds: number, overallRate?: number) =>
        load({
          url: server.url,
          headers: SNS_HEADERS,
          nextBody: () => stream.next(),
          seconds,
          connections,
          ...(overallRate ? { overallRate } : {}),
        });
      // No signing while the service runs at full load: the minute's bodies are ready.
      stream.pause();
      await drive(2);
      console.log(`soak: ${fullLoadSeconds} s at full load, then RSS...`);
      const inlineBefore = stream.signedInline;
      const cpuBefore = server.cpuSeconds();
      const full = await drive(fullLoadSeconds);
      const fullCpuUs = ((server.cpuSeconds() - cpuBefore) * 1e6) / full.requests;
      const rssAfterFull = server.rssMiB();
      const fullInline = stream.signedInline - inlineBefore;
      await new Promise((r) => setTimeout(r, 1100));
      const lastFull = readSamples(samplesPath).at(-1)!;
      console.log(`soak: after full load: ${breakdown(lastFull)}`);
      const fullGc = await liveHeapAfterFullGc(server, samplesPath);
      console.log(
        `soak: full load ${full.rps.toFixed(0)} req/s, ${fullCpuUs.toFixed(0)} CPU µs/request, ` +
          `${fullInline} bodies signed inline; after a forced full GC: heap in use ` +
          `${fullGc.heapUsed.toFixed(1)} MiB (old space ${fullGc.spaces.old_space?.used.toFixed(1)})`,
      );

      const rate = full.rps / 2;
      stream.resume({ workers: 1, highWater: 20_000 });
      await stream.fill(20_000);
      console.log(
        `soak: ${soakSeconds} s at ${Math.round(rate)} req/s (half of full load), unique bodies ` +
          `signed by one worker, RSS every ${sampleSeconds} s...`,
      );
      const samples: { x: number; y: number }[] = [];
      const soakStartedAt = readSamples(samplesPath).at(-1)!.t;
      const started = performance.now();
      const sampler = setInterval(() => {
        samples.push({ x: (performance.now() - started) / 60_000, y: server.rssMiB() });
      }, sampleSeconds * 1000);
      const soakInlineBefore = stream.signedInline;
      const soakCpuBefore = server.cpuSeconds();
      let soak;
      try {
        soak = await drive(soakSeconds, rate);
      } finally {
        clearInterval(sampler);
      }
      const soakCpuUs = ((server.cpuSeconds() - soakCpuBefore) * 1e6) / soak.requests;
      const soakInline = stream.signedInline - soakInlineBefore;
      // The series itself, for judging the slope: a sawtooth longer than the window reads as growth.
      console.log(
        `soak: RSS MiB by minute: ${samples.map((s) => `${s.x.toFixed(2)}:${s.y.toFixed(0)}`).join(" ")}`,
      );
      // The old space's floor: its bytes in use just after each of V8's own mark-compacts.
      const soakSamples = readSamples(samplesPath).filter((s) => !s.afterGc && s.t > soakStartedAt);
      const floors = soakSamples.filter(
        (s, i) => i > 0 && s.gc.major > soakSamples[i - 1]!.gc.major,
      );
      const floorPoints = floors.map((s) => ({
        x: (s.t - soakStartedAt) / 60,
        y: s.spaces.old_space?.used ?? NaN,
      }));
      console.log(
        `soak: old space in use after V8's own mark-compacts (minute:MiB): ` +
          (floorPoints.map((p) => `${p.x.toFixed(2)}:${p.y.toFixed(1)}`).join(" ") || "none"),
      );
      console.log(`soak: at the end: ${breakdown(soakSamples.at(-1)!)}`);
      const soakGc = await liveHeapAfterFullGc(server, samplesPath);
      const liveGrowth = soakGc.heapUsed - fullGc.heapUsed;
      console.log(
        `soak: ${soak.rps.toFixed(0)} req/s, ${soakCpuUs.toFixed(0)} CPU µs/request, ` +
          `${soakInline} bodies signed inline; after a forced full GC: heap in use ` +
          `${soakGc.heapUsed.toFixed(1)} MiB (${liveGrowth >= 0 ? "+" : ""}${liveGrowth.toFixed(1)} ` +
          `since the end of full load, ${(soak.requests + full.requests).toLocaleString("en-US")} ` +
          `unique messages stored in all)`,
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
          cpuUsPerRequest: Math.round(fullCpuUs),
          ratio: rssAfterFull,
          target: `< ${RSS_TARGET_MIB} MiB`,
          met: rssAfterFull < RSS_TARGET_MIB && failed === 0,
        },
        {
          name:
            `service RSS slope (MiB/min, in ratio) over ${soakSeconds - warmUpSeconds} s of a ` +
            `${soakSeconds} s soak at half load (${settled.length} samples, RSS ` +
            `${Math.min(...rssValues).toFixed(0)}-${Math.max(...rssValues).toFixed(0)} MiB; ` +
            `live heap after a full GC ${fullGc.heapUsed.toFixed(1)} -> ${soakGc.heapUsed.toFixed(1)} MiB)`,
          rps: soak.rps,
          p50: soak.p50,
          p99: soak.p99,
          cpuUsPerRequest: Math.round(soakCpuUs),
          ratio: mibPerMinute,
          target: `< ${SLOPE_TARGET_MIB_PER_MIN} MiB/min`,
          met: mibPerMinute < SLOPE_TARGET_MIB_PER_MIN && failed === 0,
        },
      ];
    } finally {
      await server.stop();
    }
  } finally {
    await stream.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `npm run bench:soak`: the start row and the memory rows, into bench/results.json ("memory"). */
async function main(): Promise<number> {
  const load1 = loadavg()[0]!;
  const nodeWarning = notImageNodeWarning();
  if (nodeWarning) console.log(nodeWarning);
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
    imageNode: imageNodeMajor(),
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
  if (nodeWarning) console.log(nodeWarning);
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
