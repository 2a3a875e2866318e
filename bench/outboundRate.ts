/**
 * `npm run bench:outbound`: the outbound queue's rate across tasks (issue 12). Three runtime
 * processes share one queue and one store and send through the End User Messaging contract peer,
 * which throttles above the number's parts per second (a one-second sliding window); a backlog of
 * sends goes in through the agent's batch endpoint and drains, with no fault.
 *
 * Prints the achieved rate as a ratio of the number's rate (target >= 0.9, never above 1), the
 * most parts End User Messaging accepted and was offered in any one-second window, the throttled
 * calls, and lost or duplicated sends; writes them into bench/results.json under "outbound",
 * keeping the other rows; exits 1 if a target is missed.
 *
 * BENCH_OUTBOUND_BACKEND: sqlite (default: one store file and its queue file) or dynamodb-sqs
 * (DynamoDB, SQS and Scheduler on moto; moto's DynamoDB serves one request at a time and is
 * the bottleneck there, not the service). BENCH_OUTBOUND_PPS (50), BENCH_OUTBOUND_SENDS (1000).
 */
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import {
  OutboundCluster,
  type BatchSend,
  type ClusterBackend,
} from "../tests/support/outboundCluster";
import {
  acceptedByKey,
  achievedPartsPerSecond,
  firstInstantMsFor,
  maxPartsInAnyWindow,
  peerAttempts,
  sendKey,
  type PeerAttempt,
} from "../tests/support/peerLedger";
import { pacingFor } from "../runtime/src/outbound/ratePacer";
import { mergeIntoResults } from "./benchResults";

const BACKEND = (process.env.BENCH_OUTBOUND_BACKEND ?? "sqlite") as ClusterBackend;
const PARTS_PER_SECOND = Number(process.env.BENCH_OUTBOUND_PPS ?? 50);
const SENDS = Number(process.env.BENCH_OUTBOUND_SENDS ?? 1000);
const PROCESSES = 3;
// Within the service's 30 s request timeout: each item may wait about a rate window inline.
const BATCH = 50;
// dist/bench/bench/outboundRate.js -> the repository.
const REPO_ROOT = join(__dirname, "..", "..", "..");

export interface OutboundRateResult {
  backend: ClusterBackend;
  processes: number;
  partsPerSecond: number;
  sends: number;
  achievedPartsPerSecond: number;
  ratio: number;
  target: string;
  met: boolean;
  maxPartsAcceptedIn1s: number;
  maxPartsOfferedIn1s: number;
  throttled: number;
  lost: number;
  duplicated: number;
  seconds: number;
  loadAverageAtStart: number;
  loadAverageAtEnd: number;
}

async function main(): Promise<number> {
  if (BACKEND !== "sqlite" && BACKEND !== "dynamodb-sqs") {
    throw new Error(`BENCH_OUTBOUND_BACKEND="${BACKEND}" must be sqlite or dynamodb-sqs`);
  }
  const loadAtStart = loadavg()[0] ?? 0;
  const cluster = await new OutboundCluster({
    backend: BACKEND,
    processes: PROCESSES,
    partsPerSecond: PARTS_PER_SECOND,
    root: REPO_ROOT,
    // The workers' pacing counters are info lines (see pacingCounters.ts).
    env: { LOG_LEVEL: "info" },
  }).start();
  try {
    const run = Date.now().toString(36);
    const sends: BatchSend[] = Array.from({ length: SENDS }, (_, i) => ({
      to: `+1425555${String(2000 + (i % 100))}`,
      body: `Reminder ${i}: your appointment on Tuesday is confirmed. Reply C to cancel.`,
      idempotencyKey: `bench-${run}-${i}`,
    }));
    const started = Date.now();
    // Every process takes agent requests, one batch at a time each, as tasks behind the ALB.
    await Promise.all(
      Array.from({ length: PROCESSES }, async (_, process) => {
        for (let b = process; b * BATCH < SENDS; b += PROCESSES) {
          const answers = await cluster.sendBatch(process, sends.slice(b * BATCH, (b + 1) * BATCH));
          const refused = answers.filter((a) => a.status !== "sent" && a.status !== "queued");
          if (refused.length > 0) {
            throw new Error(`batch items refused: ${JSON.stringify(refused.slice(0, 3))}`);
          }
        }
      }),
    );
    const accepted = () =>
      cluster.peer.delivered.filter((s) => s.target.endsWith("SendTextMessage")).length;
    // Every send at the peer, or the queue empty: a send whose gateway call timed out under load
    // ends `unknown` (never re-sent), and the peer may never see it; it counts as lost below.
    await Promise.race([
      cluster.waitFor(() => accepted() >= SENDS, 600_000, `${SENDS} sends at the peer`),
      cluster.waitForEmptyQueue(600_000),
    ]);
    const seconds = (Date.now() - started) / 1000;
    // A moment for a duplicate, if any, to arrive before counting, and for each worker's long
    // poll (5 s) to come back empty and log its last pacing counters.
    await new Promise((r) => setTimeout(r, 6000));

    const attempts = peerAttempts(cluster.peer.sends);
    const byKey = acceptedByKey(attempts);
    const counts = sends.map((s) => byKey.get(sendKey(s.to, s.body))?.length ?? 0);
    const firstInstantMs = firstInstantMsFor(pacingFor(PARTS_PER_SECOND));
    const achieved = achievedPartsPerSecond(attempts, firstInstantMs);
    const ratio = achieved / PARTS_PER_SECOND;
    const maxAccepted = maxPartsInAnyWindow(attempts.filter((a) => a.accepted));
    const result: OutboundRateResult = {
      backend: BACKEND,
      processes: PROCESSES,
      partsPerSecond: PARTS_PER_SECOND,
      sends: SENDS,
      achievedPartsPerSecond: Math.round(achieved * 100) / 100,
      ratio: Math.round(ratio * 1000) / 1000,
      target: ">= 0.9, accepted <= m in any 1 s",
      met: ratio >= 0.9 && ratio <= 1 && maxAccepted <= PARTS_PER_SECOND,
      maxPartsAcceptedIn1s: maxAccepted,
      maxPartsOfferedIn1s: maxPartsInAnyWindow(attempts),
      throttled: attempts.filter((a) => !a.accepted).length,
      lost: counts.filter((n) => n === 0).length,
      duplicated: counts.filter((n) => n > 1).length,
      seconds: Math.round(seconds * 10) / 10,
      loadAverageAtStart: loadAtStart,
      loadAverageAtEnd: loadavg()[0] ?? 0,
    };
    writeResult(result);
    for (const [k, v] of Object.entries(result)) console.log(`${k.padEnd(24)} ${String(v)}`);
    printWhereSlotsWent(cluster, attempts);
    console.log(`machine: ${cpus()[0]?.model ?? "unknown"}, ${cpus().length} cores`);
    const ok = result.met && result.lost === 0 && result.duplicated === 0;
    console.log(ok ? "bench:outbound: targets met" : "bench:outbound: target missed");
    return ok ? 0 : 1;
  } finally {
    await cluster.stop();
  }
}

/**
 * Not part of the result: the places the peer saw pass unused (a gap between accepted calls of
 * more than one slot, in slots; in bursts, a window's places its calls did not fill) and the
 * processes' pacing counters summed, to say why.
 */
function printWhereSlotsWent(cluster: OutboundCluster, attempts: PeerAttempt[]): void {
  const { slotMs, partsPerWindow, windowMs } = pacingFor(PARTS_PER_SECOND);
  const accepted = attempts.filter((a) => a.accepted).sort((a, b) => a.at - b.at);
  let unused = 0;
  const gaps: number[] = [];
  for (let i = 1; i < accepted.length; i += 1) {
    const gap = accepted[i]!.at - accepted[i - 1]!.at;
    gaps.push(gap);
    if (slotMs > 0) unused += Math.max(0, Math.round(gap / slotMs) - accepted[i]!.parts);
  }
  const parts = accepted.reduce((n, a) => n + a.parts, 0);
  if (slotMs === 0 && accepted.length > 0) {
    // Every window from the first call's to the last's held partsPerWindow places.
    const windows = Math.round((accepted.at(-1)!.at - accepted[0]!.at) / windowMs) + 1;
    unused = windows * partsPerWindow - parts;
  }
  gaps.sort((a, b) => a - b);
  const pct = (q: number): number => gaps[Math.floor(q * (gaps.length - 1))] ?? 0;
  const paced = (partsPerWindow * 1000) / windowMs / PARTS_PER_SECOND;
  const spacing =
    slotMs > 0
      ? `${slotMs.toFixed(1)} ms apart`
      : `${partsPerWindow} at the start of windows ${windowMs} ms apart`;
  console.log(
    `slots: ${spacing} (pacer at ${paced.toFixed(3)} m); unused places seen at the peer ` +
      `${unused} of ${parts + unused}; gaps ms p50 ${pct(0.5)} p90 ${pct(0.9)} ` +
      `p99 ${pct(0.99)} max ${pct(1)}`,
  );
  const totals: Record<string, number> = {};
  cluster.runtimes.forEach((runtime) => {
    for (const line of runtime.output) {
      if (!line.includes("send pacing counters")) continue;
      const pacing = (JSON.parse(line) as { pacing?: Record<string, number> }).pacing ?? {};
      for (const [k, v] of Object.entries(pacing)) {
        totals[k] = k.endsWith("Max") ? Math.max(totals[k] ?? 0, v) : (totals[k] ?? 0) + v;
      }
    }
  });
  console.log(`pacing counters (3 processes): ${JSON.stringify(totals)}`);
}

function writeResult(result: OutboundRateResult): void {
  mergeIntoResults({ outbound: { node: process.version, ...result } });
}

main()
  .then(
    (code) => code,
    (err: unknown) => {
      console.error(err);
      return 1;
    },
  )
  .then((code) => process.exit(code));
