/**
 * `npm run bench`: the webhook against baselines doing the same essential work
 * (`bench/baselines/`), each server in its own process, measured side by side in one run.
 *
 * Rows: SNS inbound and EventBridge delivery on the service and on the NORMAL and FULL baselines
 * (targets: >= 0.8 of NORMAL and >= 1.5x FULL; p99 at half the service's maximum rate < 15 ms),
 * logging's share of the inbound path's CPU (< 10%), RSS after a minute at full load (< 150 MiB)
 * and its slope over a 5-minute soak at half load (`memorySoak.ts`), start to `/readyz` 200 for
 * the built service (< 1 s, `benchServer.ts`), and the sender draining a backlog at 20 and at 3
 * parts per second against the End User Messaging contract peer (>= 0.95 of its configured parts
 * per second, no send failed to its caller, no duplicate); and, on moto, the client CPU per inbound
 * message of the DynamoDB store against the minimal calls made with the same SDK.
 * Prints one table, writes bench/results.json, and exits 1 if a target is missed or any request
 * failed. Absolute figures depend on the machine and its load; ratios are the comparable part.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { localSnsCa, TEST_TOPIC_ARN } from "../tests/support/snsSigner";
import { deliveryBodyAt } from "./deliveryBodies";
import { load, type LoadResult } from "./load";
import { dynamoDbInboundCpu } from "./dynamoDbInbound";
import type { BacklogResult } from "./senderBacklog";
import { memorySoak } from "./memorySoak";
import { profileShare } from "./profileShare";
import {
  NODE_FLAGS,
  signedInboundBodies,
  startServer as startBenchServer,
  startToReadyRow,
  type BenchRow,
  type BenchServer,
} from "./benchServer";
import type { ServeSpec } from "./serve";
import { mergeIntoResults } from "./benchResults";
import { imageNodeFlags, imageNodeMajor, notImageNodeWarning } from "./imageNodeFlags";

/**
 * The sender's backlogs: a number at 20 parts/s, and a US toll-free number at its 3 (paced in
 * bursts of 3 parts every 1,040 ms, `pacingFor`); 30 s of backlog gives the slower one 90 parts
 * to measure.
 */
const SENDER_BACKLOGS = [
  {
    partsPerSecond: Number(process.env.BENCH_SENDER_PPS ?? 20),
    seconds: Number(process.env.BENCH_SENDER_BACKLOG_SECONDS ?? 8),
  },
  { partsPerSecond: 3, seconds: 30 },
];
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
/** Signed SNS notifications (each a new message): the inbound comparison's slices need them all. */
const INBOUND_BODIES = Number(process.env.BENCH_BODIES ?? 58000);
const API_KEY = "bench-eventbridge-key-0123456789";
/**
 * `BENCH_ONLY=inbound|delivery|logging|sender` runs only that comparison (while working on one
 * path); `BENCH_CPU_PROF=<dir>` starts the service's processes with `--cpu-prof` into that
 * directory.
 */
const ONLY = process.env.BENCH_ONLY;
const CPU_PROF_DIR = process.env.BENCH_CPU_PROF;
const LOG_PAIRS = Number(process.env.BENCH_LOG_PAIRS ?? 5);
/** Cycles of a comparison (`comparePath`): each server takes a slice of this many requests. */
const CYCLES = Number(process.env.BENCH_CYCLES ?? 7);
const SLICE_REQUESTS = Number(process.env.BENCH_SLICE_REQUESTS ?? 8000);
/** Requests that warm each server of a comparison, before its slices' bodies. */
const WARM_REQUESTS = 1000;
/**
 * Seconds of a paced load that warm the service before its p99 is counted. V8 without Maglev (the
 * image's `--no-maglev`) takes seconds to reach its optimized code: at 1,800 req/s a fresh service
 * answered the first 2 s at a p99 of 122-175 ms and was steady (4-7 ms) after about 8 s. A new
 * Fargate task meets that ramp behind the target group's slow start (`webhookLoadBalancer.ts`).
 */
const PACED_WARM_UP_SECONDS = Number(process.env.BENCH_PACED_WARM_UP_SECONDS ?? 8);
const API_KEY_HEADER = "x-api-key";
const execFileAsync = promisify(execFile);
const MESSAGE_IDS = Array.from({ length: 2000 }, (_, i) => `bench-message-${i}`);

type Row = BenchRow;

async function senderRows(): Promise<Row[]> {
  const rows: Row[] = [];
  for (const { partsPerSecond, seconds } of SENDER_BACKLOGS) {
    console.log(`sender: ${seconds} s of backlog at ${partsPerSecond} parts/s...`);
    // Its own process (senderBacklog.ts says why), as the service runs.
    const { stdout } = await execFileAsync(process.execPath, [
      ...NODE_FLAGS,
      ...imageNodeFlags(),
      join(__dirname, "senderBacklog.js"),
      String(partsPerSecond),
      String(seconds),
    ]);
    rows.push(senderRow(JSON.parse(stdout.trim().split("\n").at(-1)!) as BacklogResult));
  }
  return rows;
}

/**
 * Issue 13's target: no throttling surfaced to a caller. The peer's own throttles are counted in
 * the name: a send it throttled was handed back and sent again (see JITTER_MARGIN_MS).
 */
function senderRow(backlog: BacklogResult): Row {
  const drained = backlog.achievedPartsPerSecond / backlog.configuredPartsPerSecond;
  return {
    name:
      `sender backlog vs configured ${backlog.configuredPartsPerSecond} parts/s ` +
      `through the shared pacer on SQLite (${backlog.throttledAtPeer} throttled at the peer and ` +
      `sent again, ${backlog.failedToCaller} failed to caller, ${backlog.duplicates} duplicates; ` +
      `req/s = parts/s drained, p = time to send)`,
    rps: backlog.achievedPartsPerSecond,
    p50: backlog.p50,
    p99: backlog.p99,
    ratio: drained,
    target: ">= 0.95, 0 surfaced to caller, 0 dup",
    met: drained >= 0.95 && backlog.failedToCaller === 0 && backlog.duplicates === 0,
  };
}

const dir = mkdtempSync(join(tmpdir(), "eum-bench-"));
let servers = 0;
const failures: string[] = [];

/** A server under test with a fresh database, profiled when BENCH_CPU_PROF is set. */
function startServer(spec: Spec, profileDir = CPU_PROF_DIR): Promise<BenchServer> {
  const profile =
    profileDir && spec.kind === "app" ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [];
  return startBenchServer(
    {
      ...spec,
      dbPath: join(dir, `server-${(servers += 1)}.db`),
      certPemPath: join(dir, "cert.pem"),
      topicArn: TEST_TOPIC_ARN,
    },
    profile,
  );
}

type Spec = Omit<ServeSpec, "dbPath" | "certPemPath" | "topicArn">;

type Measured = LoadResult & { rssMiB: number; cpuUsPerRequest: number };

/** A fresh server (fresh database) for one measurement, warmed first. */
async function measure(
  spec: Spec,
  headers: Record<string, string>,
  bodies: readonly string[],
  options: {
    seconds?: number;
    /** Paced at this rate, the first `PACED_WARM_UP_SECONDS` of the stream warming the server. */
    overallRate?: number;
    /** The bodies of a 2 s warm-up at full speed first, when not paced. */
    warm?: readonly string[];
    /** Bodies from a sequence rather than `bodies`. */
    nextBody?: () => string;
    /** Profiles the server into this directory (the service only). */
    profileDir?: string;
  } = {},
): Promise<Measured> {
  const server = await startServer(spec, options.profileDir);
  try {
    // A paced load warms the service with its own first seconds instead (`pacedLoad.ts`).
    if (!options.overallRate) {
      await load({
        url: server.url,
        headers,
        bodies: options.warm ?? bodies.slice(0, 100),
        seconds: 2,
        connections: CONNECTIONS,
      });
    }
    let cpuBefore = server.cpuSeconds();
    const result = await load({
      url: server.url,
      headers,
      ...(options.nextBody ? { nextBody: options.nextBody } : { bodies }),
      seconds: options.seconds ?? SECONDS,
      connections: CONNECTIONS,
      ...(options.overallRate
        ? {
            overallRate: options.overallRate,
            warmUpSeconds: PACED_WARM_UP_SECONDS,
            onCountedStart: () => {
              cpuBefore = server.cpuSeconds();
            },
          }
        : {}),
    });
    if (result.non2xx > 0 || result.errors > 0) {
      failures.push(`${spec.kind}: ${result.non2xx} non-2xx, ${result.errors} errors`);
    }
    const cpuUsPerRequest = ((server.cpuSeconds() - cpuBefore) * 1e6) / result.requests;
    return { ...result, rssMiB: server.rssMiB(), cpuUsPerRequest };
  } finally {
    await server.stop();
  }
}

function row(
  name: string,
  r: LoadResult & { cpuUsPerRequest: number },
  ratio: number | null,
  target: string | null,
): Row {
  return {
    name,
    rps: r.rps,
    p50: r.p50,
    p99: r.p99,
    ratio,
    target,
    met: null,
    cpuUsPerRequest: Math.round(r.cpuUsPerRequest),
  };
}

type Which = "normal" | "full" | "app";
const WHICH: readonly Which[] = ["normal", "full", "app"];

/** A server kept running through a comparison, and what its slices of load added up to. */
interface SlicedServer {
  server: BenchServer;
  cpuSeconds: number;
  slices: LoadResult[];
}

/** The k-th request body of a comparison: every server is sent the same sequence. */
type BodyAt = (k: number) => string;

/**
 * Compares one path of the service with its NORMAL and FULL baselines. The host's speed drifts:
 * slow spells of tens of seconds come and go (the same build read 0.67 and 0.99 of itself in two
 * 10-second runs a minute apart), and servers run one after the other compare moments as much as
 * servers. So the three run side by side, each on its own fresh database, and take the load in
 * turn, in `BENCH_CYCLES` cycles (the order rotating each cycle): a slow spell falls on all three
 * alike. A slice is a fixed number of requests (`BENCH_SLICE_REQUESTS`), the same bodies for each
 * server, so every server writes the same rows: with slices of fixed time the faster server
 * would run ahead into bodies the others never see (or out of new ones, into duplicates that
 * write nothing). A cycle's ratio compares slices run within seconds of each other; each row's
 * ratio is the median cycle's, and its name gives the middle half of them. (Pooling all slices
 * instead would weight the fast spells.)
 */
async function comparePath(
  label: string,
  baselineKind: Spec["kind"],
  headers: Record<string, string>,
  bodyAt: BodyAt,
  /** How many different bodies `bodyAt` has (past them it repeats). */
  uniqueBodies: number,
): Promise<Row[]> {
  const needed = WARM_REQUESTS + CYCLES * SLICE_REQUESTS;
  if (needed > uniqueBodies) {
    throw new Error(`${label}: ${needed} requests need as many bodies; raise BENCH_BODIES`);
  }
  const base = { apiKey: API_KEY, apiKeyHeader: API_KEY_HEADER, messageIds: MESSAGE_IDS };
  const specs: Record<Which, Spec> = {
    normal: { ...base, kind: baselineKind, synchronous: "NORMAL" },
    full: { ...base, kind: baselineKind, synchronous: "FULL" },
    app: { ...base, kind: "app", logging: "on" },
  };
  const warm = Array.from({ length: WARM_REQUESTS }, (_, k) => bodyAt(k));
  const running: Partial<Record<Which, SlicedServer>> = {};
  try {
    for (const which of WHICH) {
      const server = await startServer(specs[which]);
      running[which] = { server, cpuSeconds: 0, slices: [] };
      await load({
        url: server.url,
        headers,
        bodies: warm,
        seconds: 2,
        connections: CONNECTIONS,
      });
    }
    const servers = running as Record<Which, SlicedServer>;
    console.log(`${label}: ${CYCLES} cycles of ${SLICE_REQUESTS} requests for each server...`);
    for (let i = 0; i < CYCLES; i += 1) {
      const first = WARM_REQUESTS + i * SLICE_REQUESTS;
      for (const which of [...WHICH.slice(i % 3), ...WHICH.slice(0, i % 3)]) {
        await loadSlice(which, servers[which], headers, sequence(bodyAt, first));
      }
    }
    const [normal, full, app] = WHICH.map((which) => pooled(servers[which]));
    const toNormal = cycleRatios(servers.app, servers.normal);
    const toFull = cycleRatios(servers.app, servers.full);
    console.log(
      `${label}: service, then the NORMAL baseline, at half the service's maximum rate...`,
    );
    // Each on a fresh server, so that the bodies are new to it (SNS notifications cannot be
    // signed fast enough for a 10-second run after the slices').
    const rate = app!.rps / 2;
    const atHalfRate = (spec: Spec) =>
      measure(spec, headers, [], {
        nextBody: sequence(bodyAt, WARM_REQUESTS),
        seconds: Math.min(
          SECONDS,
          Math.floor((uniqueBodies - WARM_REQUESTS) / rate - PACED_WARM_UP_SECONDS),
        ),
        overallRate: rate,
      });
    const half = await atHalfRate(specs.app);
    // The yardstick for the p99: what this machine gives a server that does less, at that rate.
    const normalAtHalf = await atHalfRate(specs.normal);
    const cycles = (r: CycleRatios) => `median of ${CYCLES} cycles; middle half ${r.middleHalf}`;
    const versus = (baseline: string, r: CycleRatios, atLeast: number, target: string): Row => ({
      ...row(`${label}: service vs ${baseline} baseline (${cycles(r)})`, app!, r.median, target),
      met: r.median >= atLeast,
    });
    return [
      row(`${label}: baseline node:http, synchronous=NORMAL`, normal!, null, null),
      row(`${label}: baseline node:http, synchronous=FULL`, full!, null, null),
      versus("NORMAL", toNormal, 0.8, ">= 0.8"),
      versus("FULL", toFull, 1.5, ">= 1.5"),
      {
        ...row(`${label}: service at half max rate (p99)`, half, null, "p99 < 15 ms"),
        met: half.p99 < 15,
      },
      row(
        `${label}: NORMAL baseline at the service's half rate (p99, for reference)`,
        normalAtHalf,
        null,
        null,
      ),
    ];
  } finally {
    await Promise.all(Object.values(running).map((s) => s.server.stop()));
  }
}

/** Bodies `first`, `first + 1`, ... of a comparison, one per call. */
function sequence(bodyAt: BodyAt, first: number): () => string {
  let k = first;
  return () => bodyAt(k++);
}

/** One slice of `SLICE_REQUESTS` requests on a running server, added to its totals. */
async function loadSlice(
  which: Which,
  s: SlicedServer,
  headers: Record<string, string>,
  nextBody: () => string,
): Promise<void> {
  const cpuBefore = s.server.cpuSeconds();
  const result = await load({
    url: s.server.url,
    headers,
    nextBody,
    seconds: 0,
    amount: SLICE_REQUESTS,
    connections: CONNECTIONS,
  });
  if (result.non2xx > 0 || result.errors > 0) {
    failures.push(`${which}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  }
  s.cpuSeconds += s.server.cpuSeconds() - cpuBefore;
  s.slices.push(result);
}

/** A server's slices as one run: requests over the time they took; the median slice's latencies. */
function pooled(s: SlicedServer): LoadResult & { cpuUsPerRequest: number } {
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
  const sum = (of: (r: LoadResult) => number) => s.slices.reduce((total, r) => total + of(r), 0);
  const requests = sum((r) => r.requests);
  return {
    rps: requests / sum((r) => r.requests / r.rps),
    p50: median(s.slices.map((r) => r.p50)),
    p99: median(s.slices.map((r) => r.p99)),
    requests,
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    cpuUsPerRequest: (s.cpuSeconds * 1e6) / requests,
  };
}

interface CycleRatios {
  median: number;
  /** The 25th to 75th percentile, as text. */
  middleHalf: string;
}

/** The service's slice over the other server's, cycle by cycle. */
function cycleRatios(service: SlicedServer, other: SlicedServer): CycleRatios {
  const ratios = service.slices.map((r, i) => r.rps / other.slices[i]!.rps).sort((a, b) => a - b);
  const at = (q: number) => ratios[Math.min(ratios.length - 1, Math.floor(q * ratios.length))]!;
  return { median: at(0.5), middleHalf: `${at(0.25).toFixed(2)}-${at(0.75).toFixed(2)}` };
}

/** The pair whose ratio is the median, with every ratio, sorted, for the row's name. */
function medianPair<P>(
  pairs: readonly P[],
  ratioOf: (pair: P) => number,
): { pair: P; ratio: number; ratios: string } {
  const sorted = pairs.map((pair) => ({ pair, ratio: ratioOf(pair) }));
  sorted.sort((a, b) => a.ratio - b.ratio);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  return { ...median, ratios: sorted.map((r) => r.ratio.toFixed(2)).join(", ") };
}

/**
 * Logging's share of the inbound path's CPU, read from a CPU profile of the service under full
 * load: the samples under the logger (pino, `runtime/src/logging/`: building lines, the key
 * guard, the request line, the audit log, the writes) over every busy sample. For reference, the
 * service with the real logger against none over `BENCH_LOG_PAIRS` pairs: a difference of two
 * runs' CPU, which the host's drift moves by more than the share itself (one run's five pairs
 * read -0.05 to 0.22), so that row carries no target.
 */
async function loggingShare(
  headers: Record<string, string>,
  bodies: readonly string[],
  warm: readonly string[],
): Promise<Row[]> {
  const common = { apiKey: API_KEY, apiKeyHeader: API_KEY_HEADER, messageIds: [] };
  console.log("inbound: logging's share from a CPU profile...");
  const profileDir = join(dir, "logging-profile");
  const profiled = await measure({ ...common, kind: "app", logging: "on" }, headers, bodies, {
    warm,
    profileDir,
  });
  const mainThread = readdirSync(profileDir).find((f) => /\.\d+\.0\.\d+\.cpuprofile$/.test(f));
  if (!mainThread) throw new Error(`no main-thread CPU profile in ${profileDir}`);
  const logging = profileShare(join(profileDir, mainThread), (frame) =>
    LOGGING_CODE.some((part) => frame.url.includes(part)),
  );
  const pairs: { on: Measured; off: Measured }[] = [];
  for (let i = 0; i < LOG_PAIRS; i += 1) {
    console.log(`inbound: logging off vs on, pair ${i + 1} of ${LOG_PAIRS}...`);
    const run = (logging: "on" | "off") =>
      measure({ ...common, kind: "app", logging }, headers, bodies, { warm });
    // Alternating which goes first, so a load that rises or falls through a pair favours neither.
    const first = i % 2 === 0 ? await run("on") : await run("off");
    const second = i % 2 === 0 ? await run("off") : await run("on");
    const [on, off] = i % 2 === 0 ? [first, second] : [second, first];
    pairs.push({ on, off });
  }
  const median = medianPair(pairs, (p) => 1 - p.off.cpuUsPerRequest / p.on.cpuUsPerRequest);
  return [
    {
      ...row(
        `inbound: logging's share of the service's CPU (ratio; CPU profile at full load: ` +
          `${logging.matchedMs.toFixed(0)} of ${logging.busyMs.toFixed(0)} busy ms)`,
        profiled,
        logging.share,
        "< 0.10",
      ),
      met: logging.share < 0.1,
    },
    row("inbound: service, logging off", median.pair.off, null, null),
    row(
      `inbound: service, logging on (ratio = 1 - CPU off / CPU on, median of ${median.ratios})`,
      median.pair.on,
      median.ratio,
      null,
    ),
  ];
}

/** Where the logger's code lives, in a profile's script URLs. */
const LOGGING_CODE = ["/node_modules/pino/", "/runtime/src/logging/"];

async function main(): Promise<number> {
  const load1 = loadavg()[0]!;
  const nodeWarning = notImageNodeWarning();
  if (nodeWarning) console.log(nodeWarning);
  const ca = localSnsCa();
  writeFileSync(join(dir, "cert.pem"), ca.certPem);
  const signed = ONLY === "delivery" || ONLY === "sender" ? 0 : INBOUND_BODIES;
  console.log(`signing ${signed} SNS deliveries...`);
  const inbound = signedInboundBodies(signed, "bench");
  // The logging rows' warm-up, as before the comparisons took their bodies by index.
  const inboundWarm = inbound.slice(0, WARM_REQUESTS);
  const inboundAt = (k: number) => inbound[k % inbound.length]!;
  const deliveryAt = deliveryBodyAt(MESSAGE_IDS);
  const snsHeaders = {
    "content-type": "text/plain; charset=UTF-8",
    "x-amz-sns-message-type": "Notification",
  };
  const ebHeaders = { "content-type": "application/json", [API_KEY_HEADER]: API_KEY };

  const rows: Row[] = [];
  if (!ONLY || ONLY === "inbound") {
    rows.push(
      ...(await comparePath("inbound", "sns-baseline", snsHeaders, inboundAt, inbound.length)),
    );
  }
  if (!ONLY || ONLY === "delivery") {
    rows.push(
      ...(await comparePath(
        "delivery",
        "delivery-baseline",
        ebHeaders,
        deliveryAt,
        Number.POSITIVE_INFINITY,
      )),
    );
  }
  if (!ONLY || ONLY === "logging")
    rows.push(...(await loggingShare(snsHeaders, inbound, inboundWarm)));
  if (ONLY === "sender") rows.push(...(await senderRows()));
  if (ONLY) {
    // One comparison, for work on one path: printed, not written over the full run's results.
    printTable(rows);
    console.log(`load ${load1.toFixed(1)} -> ${loadavg()[0]!.toFixed(1)}; node ${process.version}`);
    for (const f of failures) console.log(`FAILED REQUESTS: ${f}`);
    return rows.some((r) => r.met === false) || failures.length > 0 ? 1 : 0;
  }

  rows.push(...(await memorySoak()));
  console.log("start to /readyz, 5 starts...");
  rows.push(await startToReadyRow(dir));

  rows.push(...(await senderRows()));

  console.log("DynamoDB on moto: CPU per inbound message, service vs minimal calls...");
  const dynamo = await dynamoDbInboundCpu(Number(process.env.BENCH_DYNAMODB_MESSAGES ?? 300)).catch(
    (err: unknown) => {
      // moto on a loaded machine can time out: the rows above still count.
      failures.push(`DynamoDB on moto: ${String(err)}`);
      return undefined;
    },
  );
  if (dynamo) {
    const dynamoRatio = dynamo.serviceCpuUs / dynamo.baselineCpuUs;
    rows.push({
      name: `DynamoDB inbound (moto), minimal calls (Query + TransactWriteItems), client CPU`,
      rps: null,
      p50: null,
      p99: null,
      ratio: null,
      target: null,
      met: null,
      cpuUsPerRequest: Math.round(dynamo.baselineCpuUs),
    });
    rows.push({
      name: `DynamoDB inbound (moto), service store, client CPU (ratio = vs minimal)`,
      rps: null,
      p50: null,
      p99: null,
      ratio: dynamoRatio,
      target: null,
      met: null,
      cpuUsPerRequest: Math.round(dynamo.serviceCpuUs),
    });
  }

  const machine = {
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    imageNode: imageNodeMajor(),
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    loadAverageAtStart: load1,
    loadAverageAtEnd: loadavg()[0],
    connections: CONNECTIONS,
    secondsPerRun: SECONDS,
    cyclesPerComparison: CYCLES,
    requestsPerSlice: SLICE_REQUESTS,
  };
  mergeIntoResults({ machine, node: process.version, rows });
  printTable(rows);
  console.log(
    `machine: ${machine.cpu}, ${machine.cores} cores, load ${load1.toFixed(1)} -> ${machine.loadAverageAtEnd?.toFixed(1)}; node ${process.version}`,
  );
  if (nodeWarning) console.log(nodeWarning);
  for (const f of failures) console.log(`FAILED REQUESTS: ${f}`);
  const missed = rows.filter((r) => r.met === false).length;
  console.log(
    missed === 0 && failures.length === 0
      ? "bench: targets met"
      : `bench: ${missed} target(s) missed`,
  );
  return missed === 0 && failures.length === 0 ? 0 : 1;
}

function printTable(rows: Row[]): void {
  const fmt = (v: number | null, digits: number) => (v === null ? "" : v.toFixed(digits));
  const lines = rows.map((r) => [
    r.name,
    fmt(r.rps, 0),
    fmt(r.p50, 1),
    fmt(r.p99, 1),
    fmt(r.cpuUsPerRequest ?? null, 0),
    fmt(r.ratio, 2),
    r.target ?? "",
    r.met === null ? "" : r.met ? "yes" : "NO",
  ]);
  const header = ["row", "req/s", "p50 ms", "p99 ms", "CPU µs/req", "ratio", "target", "met"];
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  for (const l of [header, ...lines]) {
    console.log(
      l.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  "),
    );
  }
}

main()
  .then(
    (code) => code,
    (err: unknown) => {
      console.error(err);
      return 1;
    },
  )
  .then((code) => {
    rmSync(dir, { recursive: true, force: true });
    process.exit(code);
  });
