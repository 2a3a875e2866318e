import { MemoryAuditLog } from "../../runtime/src/logging/audit";
import { SqliteOutboundQueue } from "../../runtime/src/outbound/queue/sqliteOutboundQueue";
import type { SendExecutor } from "../../runtime/src/outbound/sendExecutor";
import type { ScheduledSend, SendStatus } from "../../runtime/src/outbound/sendRecord";
import { SendWorker } from "../../runtime/src/outbound/sendWorker";
import { SqliteConversationStore } from "../../runtime/src/store/sqliteStore";
import { TestClock } from "./flowApp";
import { capturingLogger } from "../support/capturingLogger";

const LEASE_MS = 60_000;
const T0 = "2026-11-25T19:00:00.000Z";

/** Records what it was asked to run and ends each send as the test scripts. */
class ScriptedExecutor implements SendExecutor {
  readonly runs: string[] = [];
  next: (send: ScheduledSend, token: string) => Promise<ScheduledSend | undefined> = async () =>
    undefined;
  constructor(
    private readonly store: SqliteConversationStore,
    private readonly clock: TestClock,
  ) {}
  async execute(send: ScheduledSend, token: string): Promise<ScheduledSend> {
    this.runs.push(send.sendId);
    const scripted = await this.next(send, token);
    if (scripted) return scripted;
    await this.store.finishSend(send.sendId, token, {
      status: "sent",
      at: this.clock.now().toISOString(),
      providerMessageId: `pm-${send.sendId}`,
      attempt: {
        at: this.clock.now().toISOString(),
        outcome: "sent",
        providerMessageId: `pm-${send.sendId}`,
      },
    });
    return (await this.store.getSend(send.sendId))!;
  }
}

let clock: TestClock;
let store: SqliteConversationStore;
let queue: SqliteOutboundQueue;
let executor: ScriptedExecutor;
let audit: MemoryAuditLog;
let logs: string[];
let worker: SendWorker;

beforeEach(() => {
  clock = new TestClock(Date.parse(T0));
  store = new SqliteConversationStore(":memory:");
  queue = new SqliteOutboundQueue(":memory:", { now: clock.now, pollIntervalMs: 10 });
  executor = new ScriptedExecutor(store, clock);
  audit = new MemoryAuditLog();
  const captured = capturingLogger();
  logs = captured.lines;
  const log = captured.log;
  worker = new SendWorker({
    queue,
    store,
    executor,
    audit,
    log,
    now: clock.now,
    leaseMs: LEASE_MS,
    pollWaitMs: 20,
  });
});
afterEach(async () => {
  await worker.stop();
  await queue.close();
  await store.close();
});

let n = 0;
async function createSend(status: SendStatus = "queued", dueAt = T0): Promise<ScheduledSend> {
  n += 1;
  const send: ScheduledSend = {
    sendId: `send-00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
    patientRef: "p-1",
    to: "+12125550142",
    body: "Reminder",
    purpose: "message",
    status,
    requestedAt: T0,
    dueAt,
    createdAt: T0,
    updatedAt: T0,
    attempts: [],
    requestId: "req-1",
    principal: "agent",
    expiresAt: "2027-01-01T00:00:00.000Z",
  };
  expect(await store.createSend(send)).toBe(true);
  await queue.enqueue(send.sendId, new Date(dueAt));
  return send;
}

async function handleAll(): Promise<void> {
  for (const delivery of await queue.receive(10, { waitMs: 0, visibilityMs: LEASE_MS })) {
    await worker.handle(delivery, LEASE_MS);
  }
}

describe("the send worker decides from the record, never from the message", () => {
  it("claims a due send, runs it waiting for the rate, and deletes its message", async () => {
    const send = await createSend();
    await handleAll();
    expect(executor.runs).toEqual([send.sendId]);
    expect((await store.getSend(send.sendId))?.status).toBe("sent");
    expect(await queue.stats()).toMatchObject({ visible: 0, inFlight: 0 });
  });

  it("deletes a message whose send is unknown, ended or cancelled, running nothing", async () => {
    await queue.enqueue("send-00000000-0000-4000-8000-999999999999", clock.now());
    const cancelled = await createSend();
    expect(await store.cancelSend(cancelled.sendId, T0)).toBe("cancelled");
    const sent = await createSend();
    await handleAll();
    expect(executor.runs).toEqual([sent.sendId]);
    // The same send's message again (at-least-once): it ended, so nothing runs.
    await queue.enqueue(sent.sendId, clock.now());
    await handleAll();
    expect(executor.runs).toEqual([sent.sendId]);
    expect(await queue.stats()).toMatchObject({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it("keeps an early message for a send not yet due until it is", async () => {
    const send = await createSend("deferred", "2026-11-25T19:05:00.000Z");
    // A duplicate message that arrives now, before the send is due.
    await queue.enqueue(send.sendId, clock.now());
    await handleAll();
    expect(executor.runs).toEqual([]);
    clock.set("2026-11-25T19:05:00.000Z");
    await handleAll();
    expect(executor.runs).toEqual([send.sendId]);
  });

  it("leaves a message of a send another worker holds; it reappears after the lease", async () => {
    const send = await createSend();
    const other = await store.claimSend(
      send.sendId,
      "other-worker",
      T0,
      "2026-11-25T19:01:00.000Z",
    );
    expect(other).toBeDefined();
    await handleAll();
    expect(executor.runs).toEqual([]);
    expect(await queue.stats()).toMatchObject({ inFlight: 1 });
  });

  it("claims again a send whose lease expired before the gateway call (nothing was sent)", async () => {
    const send = await createSend();
    await store.claimSend(send.sendId, "dead-worker", T0, "2026-11-25T19:01:00.000Z");
    clock.set("2026-11-25T19:01:01.000Z");
    await handleAll();
    expect(executor.runs).toEqual([send.sendId]);
  });

  it("ends as unknown, never re-sent, a send whose lease expired after the call started", async () => {
    const send = await createSend();
    await store.claimSend(send.sendId, "dead-worker", T0, "2026-11-25T19:01:00.000Z");
    expect(await store.markCallStarted(send.sendId, "dead-worker", T0)).toBe(true);
    clock.set("2026-11-25T19:01:01.000Z");
    await handleAll();
    expect(executor.runs).toEqual([]);
    const after = await store.getSend(send.sendId);
    expect(after).toMatchObject({ status: "unknown" });
    expect(after?.to).toBeUndefined();
    expect(audit.events).toContainEqual(
      expect.objectContaining({
        action: "send.outcome",
        record: `send:${send.sendId}`,
        outcome: "error",
        reason: "LEASE_EXPIRED_AFTER_CALL",
      }),
    );
    expect(logs.join("")).toMatch(/"metric":"SendOutcomeUnknown"/);
    expect(await queue.stats()).toMatchObject({ visible: 0, inFlight: 0 });
  });

  it("keeps the message of a send the executor handed back, and runs it again when due", async () => {
    const send = await createSend();
    executor.next = async (s, token) => {
      const dueAt = new Date(clock.now().getTime() + 1000).toISOString();
      await store.finishSend(s.sendId, token, {
        status: "queued",
        at: clock.now().toISOString(),
        dueAt,
      });
      executor.next = async () => undefined;
      return store.getSend(s.sendId);
    };
    await handleAll();
    expect(executor.runs).toEqual([send.sendId]);
    clock.advance(1000);
    await handleAll();
    expect(executor.runs).toEqual([send.sendId, send.sendId]);
    expect((await store.getSend(send.sendId))?.status).toBe("sent");
  });

  it("leaves the message when the run fails, so it comes back after the lease", async () => {
    const send = await createSend();
    executor.next = async () => {
      throw new Error("store down");
    };
    await handleAll().catch(() => undefined);
    expect(await queue.stats()).toMatchObject({ inFlight: 1 });
    expect(executor.runs).toEqual([send.sendId]);
  });

  it("stops after the sends under way end, receiving nothing more", async () => {
    let release!: () => void;
    const running = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started!: () => void;
    const didStart = new Promise<void>((resolve) => {
      started = resolve;
    });
    executor.next = async () => {
      started();
      await running;
      return undefined;
    };
    const first = await createSend();
    worker.start();
    await didStart;
    let stopped = false;
    const stopping = worker.stop().then(() => {
      stopped = true;
    });
    await createSend();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(executor.runs).toEqual([first.sendId]);
    expect((await store.getSend(first.sendId))?.status).toBe("sent");
  });
});
