import type { FastifyInstance } from "fastify";
import { buildApp, type AppConfig } from "../../runtime/src/app";
import type { SendRulesConfig } from "../../runtime/src/config";
import { MemoryAuditLog } from "../../runtime/src/logging/audit";
import type { OutboundQueue } from "../../runtime/src/outbound/outboundQueue";
import { SqliteOutboundQueue } from "../../runtime/src/outbound/queue/sqliteOutboundQueue";
import type { SendWorker } from "../../runtime/src/outbound/sendWorker";
import type { NumberReadiness } from "../../runtime/src/sms/numberReadiness";
import { SqliteConversationStore } from "../../runtime/src/store/sqliteStore";
import { StaticCertificateSource } from "../support/staticCertificateSource";
import { localSnsCa, TEST_CERT_URL } from "../support/snsSigner";
import {
  RecordingConfirmer,
  ScriptedGateway,
  agentHeaders,
  testAppConfig,
} from "../support/testApp";
import { capturingLogger } from "../support/capturingLogger";

/** A clock the test moves: every part of the app (rules, queue, store stamps) reads it. */
export class TestClock {
  constructor(public ms: number) {}
  readonly now = (): Date => new Date(this.ms);
  set(iso: string): void {
    this.ms = Date.parse(iso);
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

export interface FlowApp {
  app: FastifyInstance;
  baseUrl: string;
  clock: TestClock;
  store: SqliteConversationStore;
  queue: OutboundQueue;
  worker: SendWorker;
  gateway: ScriptedGateway;
  audit: MemoryAuditLog;
  logs: string[];
  call(
    method: string,
    url: string,
    payload?: object,
    headers?: Record<string, string>,
  ): Promise<Answer>;
  /** Runs the worker on every message due by the test clock, until none is left. */
  drain(): Promise<number>;
  close(): Promise<void>;
}

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

const LEASE_MS = 60_000;

export async function buildFlowApp(options: {
  clock: TestClock;
  sendRules?: Partial<SendRulesConfig>;
  config?: Partial<AppConfig>;
  numberReadiness?: { current(): NumberReadiness };
}): Promise<FlowApp> {
  const { clock } = options;
  const { log: logger, lines: logs } = capturingLogger();
  const store = new SqliteConversationStore(":memory:");
  const queue = new SqliteOutboundQueue(":memory:", { now: clock.now });
  const gateway = new ScriptedGateway();
  const audit = new MemoryAuditLog();
  const config: AppConfig = {
    ...testAppConfig(),
    sendRules: {
      requireConsent: false,
      quietHours: { allowedStart: "08:00", allowedEnd: "21:00" },
      frequencyCap: undefined,
      ...options.sendRules,
    },
    ...options.config,
  };
  const built = buildApp({
    config,
    store,
    queue,
    gateway,
    certificates: new StaticCertificateSource(
      new Map([[TEST_CERT_URL, localSnsCa().certPem]]),
      () => new Date(),
    ),
    subscriptionConfirmer: new RecordingConfirmer(),
    logger,
    audit,
    now: clock.now,
    worker: { enabled: false, leaseMs: LEASE_MS },
    ...(options.numberReadiness ? { numberReadiness: options.numberReadiness } : {}),
  });
  const worker = built.worker;
  const baseUrl = await built.app.listen({ port: 0, host: "127.0.0.1" });
  const call = async (
    method: string,
    url: string,
    payload?: object,
    headers: Record<string, string> = agentHeaders,
  ): Promise<Answer> => {
    const res = await fetch(`${baseUrl}${url}`, {
      method,
      headers,
      ...(payload === undefined ? {} : { body: JSON.stringify(payload) }),
    });
    const text = await res.text();
    return {
      status: res.status,
      headers: Object.fromEntries(res.headers.entries()),
      body: text === "" ? undefined : JSON.parse(text),
    };
  };
  const drain = async (): Promise<number> => {
    let handled = 0;
    for (let round = 0; round < 100; round += 1) {
      const deliveries = await queue.receive(10, { waitMs: 0, visibilityMs: LEASE_MS });
      if (deliveries.length === 0) return handled;
      for (const delivery of deliveries) {
        await worker.handle(delivery, LEASE_MS);
        handled += 1;
      }
    }
    throw new Error("the queue did not drain in 100 rounds");
  };
  return {
    app: built.app,
    baseUrl,
    clock,
    store,
    queue,
    worker,
    gateway,
    audit,
    logs,
    call,
    drain,
    close: async () => {
      await built.app.close();
      await queue.close();
      await store.close();
    },
  };
}
