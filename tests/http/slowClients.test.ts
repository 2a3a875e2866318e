import { connect, type Socket } from "node:net";
import { Writable } from "node:stream";
import type { FastifyInstance } from "fastify";
import {
  buildApp,
  DEFAULT_HTTP_TIMEOUTS,
  drainAndClose,
  type AppConfig,
  type HttpTimeouts,
} from "../../runtime/src/app";
import { MemoryAuditLog } from "../../runtime/src/logging/audit";
import { createLogger } from "../../runtime/src/logging/logger";
import { SqliteConversationStore } from "../../runtime/src/store/sqliteStore";
import { localSnsCa, TEST_CERT_URL, TEST_TOPIC_ARN } from "../support/snsSigner";
import { StaticCertificateSource } from "../support/staticCertificateSource";
import { AGENT_TOKEN, RecordingConfirmer, ScriptedGateway } from "../support/testApp";

// Issue 9, finding 2: clients that trickle bytes must not hold connections (or shutdown) open.
// Bounds are generous (the machine is shared); nothing here asserts a speed.
const SHORT: HttpTimeouts = {
  requestTimeoutMs: 1500,
  headersTimeoutMs: 1000,
  keepAliveTimeoutMs: 1000,
};
const GENEROUS_MS = 12_000;

const config: AppConfig = {
  agentApiToken: AGENT_TOKEN,
  snsAllowedTopicArns: [TEST_TOPIC_ARN],
  eventBridgeApiKey: "k".repeat(32),
  eventBridgeApiKeyHeader: "x-api-key",
  originationIdentity: "+18445550100",
  configurationSet: undefined,
  maxPartsPerSecond: 1000,
  selfManagedOptOuts: false,
  patientRefKey: "test-patient-ref-key-0123456789",
  conversationTtlDays: 30,
  keywordReplies: { help: "h", stop: "s", start: "st" },
};

async function start(httpTimeouts?: HttpTimeouts) {
  const { app } = buildApp({
    config,
    store: new SqliteConversationStore(":memory:"),
    gateway: new ScriptedGateway(),
    certificates: new StaticCertificateSource(
      new Map([[TEST_CERT_URL, localSnsCa().certPem]]),
      () => new Date(),
    ),
    subscriptionConfirmer: new RecordingConfirmer(),
    logger: createLogger({
      level: "silent",
      destination: new Writable({ write: (_c, _e, d) => d() }),
    }),
    audit: new MemoryAuditLog(),
    ...(httpTimeouts ? { httpTimeouts } : {}),
  });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return { app, port: address.port };
}

/** Opens a socket, writes `head`, then one byte every 200 ms until the server closes it. */
function trickle(port: number, head: string): { socket: Socket; closed: Promise<string> } {
  const socket = connect(port, "127.0.0.1");
  let received = "";
  let timer: NodeJS.Timeout | undefined;
  const closed = new Promise<string>((resolve) => {
    socket.on("data", (d) => (received += d.toString()));
    socket.on("close", () => {
      clearInterval(timer);
      resolve(received);
    });
    socket.on("error", () => undefined);
  });
  socket.on("connect", () => {
    socket.write(head);
    timer = setInterval(() => {
      if (!socket.destroyed) socket.write("a");
    }, 200);
  });
  return { socket, closed };
}

function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: still open after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

describe("slow and trickling clients", () => {
  let app: FastifyInstance | undefined;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await app?.close();
    app = undefined;
  });

  it("applies the documented timeouts to the server by default", async () => {
    const started = await start();
    app = started.app;
    expect(app.server.requestTimeout).toBe(DEFAULT_HTTP_TIMEOUTS.requestTimeoutMs);
    expect(app.server.headersTimeout).toBe(DEFAULT_HTTP_TIMEOUTS.headersTimeoutMs);
    expect(app.server.keepAliveTimeout).toBe(DEFAULT_HTTP_TIMEOUTS.keepAliveTimeoutMs);
    expect(DEFAULT_HTTP_TIMEOUTS.requestTimeoutMs).toBeLessThanOrEqual(30_000);
  });

  it("closes a connection that trickles its body", async () => {
    const started = await start(SHORT);
    app = started.app;
    const head =
      "POST /sms/webhook HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\n" +
      "Content-Length: 60000\r\n\r\n";
    const { socket, closed } = trickle(started.port, head);
    sockets.push(socket);
    const answer = await within(closed, GENEROUS_MS, "trickling body");
    expect(answer === "" || answer.startsWith("HTTP/1.1 408")).toBe(true);
  }, 20_000);

  it("closes a connection that trickles its headers", async () => {
    const started = await start(SHORT);
    app = started.app;
    const { socket, closed } = trickle(started.port, "GET /healthz HTTP/1.1\r\nX-Slow: ");
    sockets.push(socket);
    await within(closed, GENEROUS_MS, "trickling headers");
  }, 20_000);

  it("cuts idle and trickling connections when draining, so shutdown does not wait on them", async () => {
    // Production-length request timeouts: only the drain can close these in time.
    const started = await start();
    app = started.app;
    const body = trickle(
      started.port,
      "POST /sms/webhook HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nContent-Length: 60000\r\n\r\n",
    );
    const headers = trickle(started.port, "GET /healthz HTTP/1.1\r\nX-Slow: ");
    sockets.push(body.socket, headers.socket);
    await new Promise((r) => setTimeout(r, 500));
    await within(drainAndClose(app, 500), GENEROUS_MS, "drain");
    await within(Promise.all([body.closed, headers.closed]), GENEROUS_MS, "drained sockets");
    app = undefined;
  }, 20_000);
});
