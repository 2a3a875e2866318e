import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqliteDatabase, type SqlValue } from "../../runtime/src/store/sqliteDriver";
import { SqliteOutboundQueue } from "../../runtime/src/outbound/queue/sqliteOutboundQueue";
import { QueueUnavailableError } from "../../runtime/src/outbound/queue/queueUnavailableError";
import { repoRoot } from "../support/paths";
import { outboundQueueConformance, type QueueHarness } from "./outboundQueueConformance";

/** The columns that are the queue's own random handles, not anything about the send. */
const HANDLE_COLUMNS = new Set(["message_id", "receipt"]);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "eum-sms-queue-"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function fakeClock(): { now: () => Date; advance: (ms: number) => void } {
  let t = Date.parse("2026-03-02T15:00:00.000Z");
  return { now: () => new Date(t), advance: (ms) => void (t += ms) };
}

async function openHarness(): Promise<QueueHarness> {
  const path = join(dir, `${Math.random().toString(36).slice(2)}.sqlite`);
  const clock = fakeClock();
  const queue = new SqliteOutboundQueue(path, { now: clock.now, pollIntervalMs: 20 });
  const inspector = openSqliteDatabase(path);
  return {
    queue,
    now: clock.now,
    advance: async (ms) => clock.advance(ms),
    canSkipDays: true,
    payloads: async () => {
      const rows = inspector.prepare("SELECT * FROM outbound_queue").all() as Record<
        string,
        SqlValue
      >[];
      // Every text the table keeps about a send, under the name the message body uses.
      return rows.map((row) =>
        JSON.stringify(
          Object.fromEntries(
            Object.entries(row)
              .filter(([column, value]) => typeof value === "string" && !HANDLE_COLUMNS.has(column))
              .map(([column, value]) => [column === "send_id" ? "sendId" : column, value]),
          ),
        ),
      );
    },
    close: async () => {
      inspector.close();
      await queue.close();
    },
  };
}

outboundQueueConformance("SqliteOutboundQueue", openHarness);

describe("SqliteOutboundQueue", () => {
  it("accepts :memory:", async () => {
    const queue = new SqliteOutboundQueue(":memory:");
    await queue.enqueue("send-a", new Date());
    expect((await queue.receive(5, { waitMs: 0, visibilityMs: 1000 }))[0]?.sendId).toBe("send-a");
    await queue.close();
  });

  it("never gives one row to two queues sharing the file within its visibility", async () => {
    const path = join(dir, "shared.sqlite");
    const a = new SqliteOutboundQueue(path, { pollIntervalMs: 10 });
    const b = new SqliteOutboundQueue(path, { pollIntervalMs: 10 });
    const ids = Array.from({ length: 60 }, (_, i) => `send-${i}`);
    for (const id of ids) await a.enqueue(id, new Date());
    const seen: string[] = [];
    const drain = async (queue: SqliteOutboundQueue): Promise<void> => {
      // Bounded: a queue that handed rows out again would otherwise never run dry.
      for (let round = 0; round < ids.length; round++) {
        const got = await queue.receive(7, { waitMs: 0, visibilityMs: 60_000 });
        if (got.length === 0) return;
        seen.push(...got.map((d) => d.sendId));
      }
    };
    await Promise.all([drain(a), drain(b), drain(a), drain(b)]);
    expect(seen.sort()).toEqual([...ids].sort());
    await a.close();
    await b.close();
  });

  it("never gives one row to two of three processes draining the file at once", async () => {
    const path = join(dir, "processes.sqlite");
    const seed = new SqliteOutboundQueue(path);
    const ids = Array.from({ length: 300 }, (_, i) => `send-p${i}`);
    for (const id of ids) await seed.enqueue(id, new Date());
    await seed.close();
    // The built module (jest's globalSetup builds dist/), in separate Node processes.
    const modulePath = join(repoRoot, "dist/runtime/src/outbound/queue/sqliteOutboundQueue.js");
    const drainer = `
      const { SqliteOutboundQueue } = require(${JSON.stringify(modulePath)});
      (async () => {
        const queue = new SqliteOutboundQueue(process.argv[1]);
        const got = [];
        for (let empty = 0; empty < 3; ) {
          const batch = await queue.receive(5, { waitMs: 0, visibilityMs: 600000 });
          if (batch.length === 0) { empty++; continue; }
          got.push(...batch.map((d) => d.sendId));
        }
        await queue.close();
        process.stdout.write(JSON.stringify(got));
      })();`;
    const run = (): Promise<string[]> =>
      new Promise((resolve, reject) =>
        execFile(
          process.execPath,
          ["--no-warnings", "-e", drainer, path],
          { timeout: 20_000 },
          (err, stdout) => (err ? reject(err) : resolve(JSON.parse(stdout) as string[])),
        ),
      );
    const results = await Promise.all([run(), run(), run()]);
    const seen = results.flat();
    expect(seen.sort()).toEqual([...ids].sort());
  }, 25_000);

  it("wakes a long poll when this process enqueues, without waiting out waitMs", async () => {
    const queue = new SqliteOutboundQueue(":memory:", { pollIntervalMs: 60_000 });
    const polling = queue.receive(1, { waitMs: 60_000, visibilityMs: 1000 });
    await queue.enqueue("send-woken", new Date());
    expect((await polling).map((d) => d.sendId)).toEqual(["send-woken"]);
    await queue.close();
  }, 5000);

  it("sees what another process's connection enqueued while it long-polls", async () => {
    const path = join(dir, "poll.sqlite");
    const receiver = new SqliteOutboundQueue(path, { pollIntervalMs: 20 });
    const sender = new SqliteOutboundQueue(path);
    const polling = receiver.receive(1, { waitMs: 20_000, visibilityMs: 1000 });
    setTimeout(() => void sender.enqueue("send-elsewhere", new Date()), 100);
    expect((await polling).map((d) => d.sendId)).toEqual(["send-elsewhere"]);
    await receiver.close();
    await sender.close();
  }, 5000);

  it("ends a long poll with [] when closed", async () => {
    const queue = new SqliteOutboundQueue(":memory:", { pollIntervalMs: 60_000 });
    const polling = queue.receive(1, { waitMs: 60_000, visibilityMs: 1000 });
    await queue.close();
    expect(await polling).toEqual([]);
  }, 5000);

  it("reports use after close as QueueUnavailableError", async () => {
    const queue = new SqliteOutboundQueue(":memory:");
    await queue.close();
    await expect(queue.enqueue("send-late", new Date())).rejects.toBeInstanceOf(
      QueueUnavailableError,
    );
  });

  it("keeps ids, times and counts only: the table has no column for a number or a text", () => {
    const queue = new SqliteOutboundQueue(join(dir, "columns.sqlite"));
    const db = openSqliteDatabase(join(dir, "columns.sqlite"));
    const columns = (db.prepare("PRAGMA table_info(outbound_queue)").all() as { name: string }[])
      .map((c) => c.name)
      .sort();
    expect(columns).toEqual(
      [
        "due_at",
        "enqueued_at",
        "message_id",
        "receipt",
        "receive_count",
        "send_id",
        "visible_at",
      ].sort(),
    );
    db.close();
    void queue.close();
  });
});
