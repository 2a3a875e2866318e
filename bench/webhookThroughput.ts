/**
 * Webhook throughput against a baseline run side by side on this machine.
 *
 * Baseline: a bare node:http server that reads the body and parses the SNS envelope and its
 * Message (the least any webhook must do). Candidate: the real app doing everything a delivery
 * needs: Fastify routing, SNS signature verification (cached key), inbound parsing, conversation
 * lookup and a durable (synchronous=FULL) SQLite transaction, plus allow-list logging.
 *
 * Targets: the candidate keeps at least 10% of the baseline's requests per second, answers every
 * request 2xx, and its resident memory grows by less than 100 MB over the run.
 * Run with `npm run bench`; it prints the figures and exits 1 if a target is missed.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import autocannon from "autocannon";
import { buildApp } from "../runtime/src/app";
import { MemoryAuditLog } from "../runtime/src/logging/audit";
import { createLogger } from "../runtime/src/logging/logger";
import { MockSmsGateway } from "../runtime/src/sms/mockSmsGateway";
import { HttpsCertificateSource } from "../runtime/src/sns/certificateSource";
import { SqliteConversationStore } from "../runtime/src/store/sqliteStore";
import { inboundNotification, localSnsCa, TEST_TOPIC_ARN } from "../tests/support/snsSigner";

const DURATION_S = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = 20;
const BODIES = 4000;

async function load(url: string, bodies: string[]) {
  let i = 0;
  const result = await autocannon({
    url: `${url}/sms/webhook`,
    method: "POST",
    connections: CONNECTIONS,
    duration: DURATION_S,
    headers: {
      "content-type": "text/plain; charset=UTF-8",
      "x-amz-sns-message-type": "Notification",
    },
    requests: [{ setupRequest: (req) => ({ ...req, body: bodies[i++ % bodies.length] }) }],
  });
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

async function main(): Promise<number> {
  console.log(`signing ${BODIES} SNS deliveries...`);
  const bodies = Array.from({ length: BODIES }, (_, i) =>
    JSON.stringify(
      inboundNotification({
        originationNumber: `+1425555${String(1000 + (i % 8000)).padStart(4, "0")}`,
        destinationNumber: "+18445550100",
        messageBody: `reply ${i}`,
        inboundMessageId: `bench-${i}`,
      }),
    ),
  );

  const baseline = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const envelope = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { Message: string };
      JSON.parse(envelope.Message);
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"status":"stored"}');
    });
  });
  await new Promise<void>((r) => baseline.listen(0, "127.0.0.1", r));
  const baselineUrl = `http://127.0.0.1:${(baseline.address() as { port: number }).port}`;

  const dir = mkdtempSync(join(tmpdir(), "eum-bench-"));
  const store = new SqliteConversationStore(join(dir, "bench.db"));
  const now = () => new Date();
  const pem = localSnsCa().certPem;
  const { app } = buildApp({
    config: {
      agentApiToken: "bench-agent-token-0123456789",
      snsAllowedTopicArns: [TEST_TOPIC_ARN],
      eventBridgeApiKey: "bench-eventbridge-key-0123456789",
      eventBridgeApiKeyHeader: "x-api-key",
      originationIdentity: "+18445550100",
      configurationSet: undefined,
      maxPartsPerSecond: 1,
      selfManagedOptOuts: false,
      patientRefKey: "bench-patient-ref-key-0123456789",
      conversationTtlDays: 30,
      keywordReplies: { help: "h", stop: "s", start: "s" },
    },
    store,
    gateway: new MockSmsGateway(),
    certificates: new HttpsCertificateSource({
      now,
      fetch: (async () => new Response(pem)) as typeof fetch,
    }),
    subscriptionConfirmer: { confirm: async () => undefined },
    // Logs go through the real serializers into a sink, as they would to stdout.
    logger: createLogger({
      level: "info",
      destination: new Writable({ write: (_c, _e, done) => done() }),
    }),
    audit: new MemoryAuditLog(),
    now,
  });
  const candidateUrl = await app.listen({ port: 0, host: "127.0.0.1" });

  // Warm both (JIT, certificate cache), then measure side by side in alternation.
  await load(baselineUrl, bodies.slice(0, 200));
  await load(candidateUrl, bodies.slice(0, 200));
  const rssBefore = process.memoryUsage().rss;
  const base = await load(baselineUrl, bodies);
  const cand = await load(candidateUrl, bodies);
  const rssGrowthMb = (process.memoryUsage().rss - rssBefore) / 1024 / 1024;

  await app.close();
  await store.close();
  baseline.close();
  rmSync(dir, { recursive: true, force: true });

  const ratio = cand.rps / base.rps;
  console.log(
    `baseline  node:http parse-only      ${base.rps.toFixed(0)} req/s  p99 ${base.p99} ms`,
  );
  console.log(
    `candidate verify + durable store    ${cand.rps.toFixed(0)} req/s  p99 ${cand.p99} ms  non2xx ${cand.non2xx}  errors ${cand.errors}`,
  );
  console.log(
    `ratio ${ratio.toFixed(3)} (target >= 0.10); RSS growth ${rssGrowthMb.toFixed(1)} MB (target < 100)`,
  );
  const ok = ratio >= 0.1 && cand.non2xx === 0 && cand.errors === 0 && rssGrowthMb < 100;
  console.log(ok ? "bench: targets met" : "bench: TARGET MISSED");
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
