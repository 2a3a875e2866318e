import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StoreUnavailableError } from "../../runtime/src/errors";
import type { PendingEffect } from "../../runtime/src/store/conversationStore";
import { openSqliteDatabase, type SqliteDatabase } from "../../runtime/src/store/sqliteDriver";
import { GroupCommitDatabase } from "../../runtime/src/store/sqliteGroupCommit";
import { SqliteConversationStore } from "../../runtime/src/store/sqliteStore";
import { inboundReply } from "./inboundReplyFixture";

const dir = mkdtempSync(join(tmpdir(), "eum-sms-group-commit-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

/** The real database, counting COMMITs and prepares, and failing the next COMMIT on request. */
function observedStore() {
  const seen = { commits: 0, prepares: new Map<string, number>(), failNextCommit: false };
  const open = (path: string): SqliteDatabase => {
    const db = openSqliteDatabase(path);
    return {
      exec(sql) {
        if (sql === "COMMIT") {
          seen.commits += 1;
          if (seen.failNextCommit) {
            seen.failNextCommit = false;
            throw new Error("disk I/O error (injected)");
          }
        }
        db.exec(sql);
      },
      prepare(sql) {
        seen.prepares.set(sql, (seen.prepares.get(sql) ?? 0) + 1);
        return db.prepare(sql);
      },
      close: () => db.close(),
    };
  };
  const store = new SqliteConversationStore(join(dir, `store-${(n += 1)}.db`), open);
  return { store, seen };
}

const at = "2026-11-25T12:00:00.000Z";
describe("SqliteConversationStore group commit", () => {
  it("commits concurrent writes in one transaction and answers only after the COMMIT", async () => {
    const { store, seen } = observedStore();
    const commitsAtAnswer: number[] = [];
    await Promise.all(
      ["a", "b", "c"].map((id) =>
        store.recordInbound({ inbound: inboundReply(id) }).then((r) => {
          commitsAtAnswer.push(seen.commits);
          return r;
        }),
      ),
    );
    expect(seen.commits).toBe(1);
    expect(commitsAtAnswer).toEqual([1, 1, 1]);
    await store.close();
  });

  it("fails every caller of a batch whose COMMIT fails, and keeps none of its writes", async () => {
    const { store, seen } = observedStore();
    seen.failNextCommit = true;
    const results = await Promise.allSettled(
      ["a", "b"].map((id) => store.recordInbound({ inbound: inboundReply(id) })),
    );
    for (const r of results) {
      expect(r.status).toBe("rejected");
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(StoreUnavailableError);
    }
    // Rolled back: the same messages are new again, and the store works after the failure.
    await expect(store.recordInbound({ inbound: inboundReply("a") })).resolves.toBe("created");
    await expect(store.recordInbound({ inbound: inboundReply("b") })).resolves.toBe("created");
    await store.close();
  });

  it("rolls back only the operation that fails inside a batch", async () => {
    const { store } = observedStore();
    const twice: PendingEffect = { effectId: "e1", kind: "audit", action: "x", record: "r" };
    const [bad, good] = await Promise.allSettled([
      store.recordInbound({ inbound: inboundReply("bad"), effects: [twice, twice] }),
      store.recordInbound({ inbound: inboundReply("good"), effects: [twice] }),
    ]);
    expect(bad.status).toBe("rejected");
    expect((bad as PromiseRejectedResult).reason).toBeInstanceOf(StoreUnavailableError);
    expect(good).toEqual({ status: "fulfilled", value: "created" });
    // Nothing of the failed operation stayed: not its message, not its first effect.
    await expect(store.pendingEffects("bad")).resolves.toEqual([]);
    await expect(store.recordInbound({ inbound: inboundReply("bad") })).resolves.toBe("created");
    await expect(store.pendingEffects("good")).resolves.toHaveLength(1);
    await store.close();
  });

  it("commits writes still in the batch when closed", async () => {
    const path = join(dir, "close.db");
    const first = new SqliteConversationStore(path);
    const write = first.setOptOut("p", true, at);
    await first.close();
    await expect(write).resolves.toBe(true);
    const second = new SqliteConversationStore(path);
    await expect(second.isOptedOut("p")).resolves.toBe(true);
    await second.close();
  });

  it("runs a one-statement write without a savepoint, and its failure undoes only itself", async () => {
    const raw = openSqliteDatabase(join(dir, `raw-${(n += 1)}.db`));
    raw.exec("CREATE TABLE t (k TEXT PRIMARY KEY)");
    const savepoints: string[] = [];
    const db = new GroupCommitDatabase({
      exec: (sql) => raw.exec(sql),
      prepare(sql) {
        if (/SAVEPOINT|RELEASE/.test(sql)) savepoints.push(sql);
        return raw.prepare(sql);
      },
      close: () => raw.close(),
    });
    const insert = (k: string) => () => db.sql("INSERT INTO t (k) VALUES (?)").run(k);
    const results = await Promise.allSettled([
      db.run("first", insert("a"), "one-statement-write"),
      db.run("same key", insert("a"), "one-statement-write"),
      db.run("second", insert("b"), "one-statement-write"),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(savepoints).toEqual([]);
    // The failed INSERT backed out by SQLite alone; the batch's other writes committed.
    expect(raw.prepare("SELECT k FROM t ORDER BY k").all()).toEqual([{ k: "a" }, { k: "b" }]);
    await db.close();
  });

  it("prepares each statement once", async () => {
    const { store, seen } = observedStore();
    for (const id of ["a", "b", "c"]) await store.recordInbound({ inbound: inboundReply(id) });
    for (let i = 0; i < 3; i += 1) await store.isOptedOut("p");
    const repeated = [...seen.prepares].filter(([sql, count]) => count > 1 && !/PRAGMA/.test(sql));
    expect(repeated).toEqual([]);
    await store.close();
  });
});

describe("GroupCommitDatabase while another connection holds the writer lock", () => {
  /** A WAL database with one table, and a second connection to it that takes the writer lock. */
  function lockedDatabase(options: { lockTimeoutMs?: number } = {}) {
    const path = join(dir, `locked-${(n += 1)}.db`);
    const raw = openSqliteDatabase(path);
    // As the store's connection has it (`prepareSqliteDatabase`).
    raw.exec("PRAGMA busy_timeout = 5000");
    raw.exec("PRAGMA journal_mode = WAL");
    raw.exec("CREATE TABLE t (x INTEGER)");
    const db = new GroupCommitDatabase(raw, options);
    const other = openSqliteDatabase(path);
    other.exec("BEGIN IMMEDIATE");
    const insert = (x: number) => db.run("insert", () => db.sql("INSERT INTO t VALUES (?)").run(x));
    const rows = () => raw.prepare("SELECT x FROM t ORDER BY rowid").all();
    return { db, other, insert, rows };
  }
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it("waits for it without stopping the event loop, then writes in order", async () => {
    const { db, other, insert, rows } = lockedDatabase();
    let ticks = 0;
    const timer = setInterval(() => (ticks += 1), 1);
    const writes = [insert(1), insert(2)];
    let settled = false;
    void Promise.allSettled(writes).then(() => (settled = true));
    await sleep(30);
    clearInterval(timer);
    // SQLite's busy handler would have slept this thread (the test's own) until its timeout.
    expect(ticks).toBeGreaterThan(5);
    expect(settled).toBe(false);
    other.exec("COMMIT");
    await Promise.all(writes);
    expect(rows()).toEqual([{ x: 1 }, { x: 2 }]);
    other.close();
    await db.close();
  });

  it("fails the writes that waited longer than lockTimeoutMs with 503, and writes again after", async () => {
    const { db, other, insert, rows } = lockedDatabase({ lockTimeoutMs: 40 });
    for (const outcome of await Promise.allSettled([insert(1), insert(2)])) {
      expect(outcome.status).toBe("rejected");
      expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(StoreUnavailableError);
    }
    other.exec("ROLLBACK");
    await insert(3);
    expect(rows()).toEqual([{ x: 3 }]);
    other.close();
    await db.close();
  });
});
