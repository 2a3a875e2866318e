/**
 * Bench-only: loaded into a server under test with `--require`, it writes where the process's
 * memory is, one JSON line a second, to the file named by `BENCH_MEMORY_SAMPLES`: RSS split into
 * anonymous and file-backed pages (the node binary's own text counts in RSS), the parts of
 * `process.memoryUsage()`, and each V8 heap space (new space's semi-spaces apart from old space).
 *
 * On SIGUSR2 it runs a full, compacting GC first and writes a line marked `afterGc: true`: the
 * heap that is still reachable, which is what a leak grows (a heap that only grows between GCs is
 * V8 choosing when to collect). The product never loads this module.
 */
import { closeSync, openSync, readFileSync, writeSync } from "node:fs";
import { constants, PerformanceObserver } from "node:perf_hooks";
import { getHeapSpaceStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { isMainThread } from "node:worker_threads";

const MIB = 2 ** 20;

export interface MemorySample {
  /** Seconds since the sampler started. */
  t: number;
  afterGc: boolean;
  rss: number;
  rssAnon: number;
  rssFile: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  /** Per V8 heap space: committed physical size and bytes in use, MiB. */
  spaces: Record<string, { physical: number; used: number }>;
  /** GCs so far: scavenges (young generation), mark-compacts (whole heap), and their pause ms. */
  gc: { minor: number; major: number; ms: number };
}

const gcSoFar = { minor: 0, major: 0, ms: 0 };

function countGcs(): void {
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as { detail?: { kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) gcSoFar.minor += 1;
      if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) gcSoFar.major += 1;
      gcSoFar.ms += entry.duration;
    }
  }).observe({ entryTypes: ["gc"] });
}

function statusKiB(status: string, field: string): number {
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN) / 1024;
}

export function sampleMemory(startedAt: number, afterGc: boolean): MemorySample {
  const status = readFileSync("/proc/self/status", "utf8");
  const usage = process.memoryUsage();
  const spaces: MemorySample["spaces"] = {};
  for (const s of getHeapSpaceStatistics()) {
    spaces[s.space_name] = {
      physical: round(s.physical_space_size / MIB),
      used: round(s.space_used_size / MIB),
    };
  }
  return {
    t: round((performance.now() - startedAt) / 1000),
    afterGc,
    rss: round(usage.rss / MIB),
    rssAnon: round(statusKiB(status, "RssAnon")),
    rssFile: round(statusKiB(status, "RssFile")),
    heapTotal: round(usage.heapTotal / MIB),
    heapUsed: round(usage.heapUsed / MIB),
    external: round(usage.external / MIB),
    arrayBuffers: round(usage.arrayBuffers / MIB),
    spaces,
    gc: { ...gcSoFar, ms: Math.round(gcSoFar.ms) },
  };
}

function round(v: number): number {
  return Math.round(v * 10) / 10;
}

function startSampling(path: string): void {
  const fd = openSync(path, "a");
  countGcs();
  const startedAt = performance.now();
  const write = (afterGc: boolean) =>
    writeSync(fd, `${JSON.stringify(sampleMemory(startedAt, afterGc))}\n`);
  const timer = setInterval(() => write(false), 1000);
  timer.unref();
  // A full GC on request only: `gc` is exposed for this process alone, never in the product.
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  process.on("SIGUSR2", () => {
    gc();
    write(true);
  });
  process.on("exit", () => closeSync(fd));
}

const target = process.env.BENCH_MEMORY_SAMPLES;
// `--require` loads this into any worker thread too (the service starts none today): a worker's
// own heap figures would be read as the service's.
if (target && isMainThread) startSampling(target);
