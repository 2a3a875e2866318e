import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StoreUnavailableError } from "../../runtime/src/errors";
import { SqliteCheckpointer } from "../../runtime/src/store/sqliteCheckpointer";
import { SqliteConversationStore } from "../../runtime/src/store/sqliteStore";
import { repoRoot } from "../support/paths";
import { buildTestApp } from "../support/testApp";
import { inboundReply } from "./inboundReplyFixture";
import { heldSync, inboundRowsInDatabaseFile, settledFlag, turns, waitFor } from "./sqliteFiles";

/**
 * The store's durability without an fsync on the event loop: a group's callers are answered only
 * after the WAL's fdatasync; a failed one fails the store; the main connection never
 * checkpoints, the checkpointer does (`sqliteCheckpointer.test.ts`); close leaves one consistent
 * database file.
 */
const dir = mkdtempSync(join(tmpdir(), "eum-sms-durability-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const nextPath = () => join(dir, `store-${(n += 1)}`, "sms.db");

const at = "2026-11-25T12:00:00.000Z";
/**
 * A store on a fresh file whose WAL syncs wait for the test (`heldSync`). Its checkpointer never
 * runs: it would hold the writer lock for its own syncs while a test counts turns.
 */
function storeWithHeldSync() {
  const { calls, syncFile } = heldSync();
  return {
    calls,
    store: new SqliteConversationStore(nextPath(), undefined, {
      syncWal: syncFile,
      checkpointIntervalMs: 3_600_000,
    }),
  };
}

describe("SqliteConversationStore durability", () => {
  it("answers a group's writes only when the WAL's fdatasync has completed", async () => {
    const { calls, store } = storeWithHeldSync();
    const writes = ["a", "b"].map((id) => store.recordInbound({ inbound: inboundReply(id) }));
    const states = writes.map(settledFlag);
    await turns(5);
    // Committed (one group) but not yet durable: nobody is answered.
    expect(calls).toHaveLength(1);
    expect(states.map((s) => s.settled)).toEqual([false, false]);
    calls[0]!.release();
    await expect(Promise.all(writes)).resolves.toEqual(["created", "created"]);
    await store.close();
  });

  it("keeps one fdatasync in flight; the next covers every group committed meanwhile", async () => {
    const { calls, store } = storeWithHeldSync();
    const first = store.recordInbound({ inbound: inboundReply("first") });
    await turns(2);
    // Two more groups, in later turns, while the first group's sync is held.
    const second = store.recordInbound({ inbound: inboundReply("second") });
    await turns(2);
    const third = store.recordInbound({ inbound: inboundReply("third") });
    const later = [settledFlag(second), settledFlag(third)];
    await turns(2);
    expect(calls).toHaveLength(1);
    calls[0]!.release();
    await expect(first).resolves.toBe("created");
    await turns(5);
    expect(calls).toHaveLength(2);
    expect(later.map((s) => s.settled)).toEqual([false, false]);
    calls[1]!.release();
    await expect(Promise.all([second, third])).resolves.toEqual(["created", "created"]);
    expect(calls).toHaveLength(2);
    await store.close();
  });

  it("starts the next fdatasync when the turn's batch commits, so it covers writes the answers started", async () => {
    const { calls, store } = storeWithHeldSync();
    const first = store.recordInbound({ inbound: inboundReply("first") });
    await turns(2);
    const second = store.recordInbound({ inbound: inboundReply("second") });
    await turns(2);
    // As a webhook's next request would: a write made as soon as the first group is answered.
    const fourth = first.then(() => store.recordInbound({ inbound: inboundReply("fourth") }));
    calls[0]!.release();
    await first;
    await turns(5);
    // One sync for both: the group that waited through the first sync and the new batch.
    expect(calls).toHaveLength(2);
    calls[1]!.release();
    await expect(second).resolves.toBe("created");
    await turns(5);
    expect(calls).toHaveLength(2);
    await expect(fourth).resolves.toBe("created");
    await store.close();
  });

  it("answers a read that may have seen an undurable write only once that write is durable", async () => {
    const { calls, store } = storeWithHeldSync();
    const write = store.setOptOut("p", true, at);
    await turns(3);
    const read = store.isOptedOut("p");
    const readState = settledFlag(read);
    await turns(3);
    expect(readState.settled).toBe(false);
    calls[0]!.release();
    await expect(write).resolves.toBe(true);
    await expect(read).resolves.toBe(true);
    // With nothing waiting for a sync, a read answers without one.
    await expect(store.isOptedOut("p")).resolves.toBe(true);
    expect(calls).toHaveLength(1);
    await store.close();
  });

  it("fails the group whose fdatasync fails, every group after it, and every later operation", async () => {
    const { calls, store } = storeWithHeldSync();
    const first = store.recordInbound({ inbound: inboundReply("a") });
    await turns(2);
    const second = store.recordInbound({ inbound: inboundReply("b") });
    await turns(2);
    calls[0]!.fail(Object.assign(new Error("EIO: i/o error, fdatasync"), { code: "EIO" }));
    for (const outcome of await Promise.allSettled([first, second])) {
      expect(outcome.status).toBe("rejected");
      expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(StoreUnavailableError);
    }
    // After an fsync error a later successful one proves nothing: the store stays failed.
    await expect(store.recordInbound({ inbound: inboundReply("c") })).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
    await expect(store.isOptedOut("p")).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(calls).toHaveLength(1);
    await store.close();
  });

  it("fails a batch still open when a sync fails, rather than leaving its callers waiting", async () => {
    const { calls, store } = storeWithHeldSync();
    const first = store.recordInbound({ inbound: inboundReply("a") });
    await turns(2);
    expect(calls).toHaveLength(1);
    // In one turn: a write opens the next batch, then the held sync fails before that batch's
    // end-of-turn COMMIT. No sync follows a failed one, so committing it would answer no one.
    const second = store.recordInbound({ inbound: inboundReply("b") });
    calls[0]!.fail(Object.assign(new Error("EIO: i/o error, fdatasync"), { code: "EIO" }));
    for (const outcome of await Promise.allSettled([first, second])) {
      expect(outcome.status).toBe("rejected");
      expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(StoreUnavailableError);
    }
    expect(calls).toHaveLength(1);
    await store.close();
  });

  it("says not ready on /readyz once a sync has failed", async () => {
    const { calls, store } = storeWithHeldSync();
    const t = await buildTestApp({ store });
    try {
      expect((await t.request({ method: "GET", url: "/readyz" })).statusCode).toBe(200);
      const write = store.setOptOut("p", true, at);
      await turns(3);
      calls[0]!.fail(new Error("EIO: i/o error, fdatasync"));
      await expect(write).rejects.toBeInstanceOf(StoreUnavailableError);
      expect((await t.request({ method: "GET", url: "/readyz" })).statusCode).toBe(503);
    } finally {
      await t.app.close();
      await store.close();
    }
  });

  it("never checkpoints on the main connection: the frames stay in the WAL until the checkpointer copies them", async () => {
    const path = nextPath();
    // The store's own checkpointer would not run within the test.
    const store = new SqliteConversationStore(path, undefined, { checkpointIntervalMs: 3_600_000 });
    const before = readFileSync(path);
    // One group per write: thousands of WAL frames, past SQLite's automatic checkpoint (1,000).
    for (let i = 0; i < 1500; i += 1) await store.recordInbound({ inbound: inboundReply(`m${i}`) });
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(statSync(`${path}-wal`).size).toBeGreaterThan(1000 * 4096);
    expect(inboundRowsInDatabaseFile(path)).toBe(0);

    const checkpointer = new SqliteCheckpointer(path, { intervalMs: 3_600_000 });
    try {
      const result = await checkpointer.checkpoint();
      expect(result.busy).toBe(0);
      expect(result.log).toBeGreaterThan(1000);
      expect(result.checkpointed).toBe(result.log);
    } finally {
      await checkpointer.stop();
    }
    expect(inboundRowsInDatabaseFile(path)).toBe(1500);
    await store.close();
  });

  it("checkpoints by itself", async () => {
    const path = nextPath();
    const store = new SqliteConversationStore(path, undefined, { checkpointIntervalMs: 20 });
    await Promise.all(
      ["a", "b", "c"].map((id) => store.recordInbound({ inbound: inboundReply(id) })),
    );
    await waitFor(() => inboundRowsInDatabaseFile(path) === 3, "the checkpointer");
    // The store still writes after its WAL was copied (and possibly started again).
    await expect(store.recordInbound({ inbound: inboundReply("d") })).resolves.toBe("created");
    await store.close();
    expect(inboundRowsInDatabaseFile(path)).toBe(4);
  });

  it("leaves one consistent database file when closed: rows in it, no WAL left", async () => {
    const path = nextPath();
    const { calls, syncFile } = heldSync();
    const store = new SqliteConversationStore(path, undefined, {
      checkpointIntervalMs: 3_600_000,
      syncWal: syncFile,
    });
    const writes = ["a", "b", "c"].map((id) => store.recordInbound({ inbound: inboundReply(id) }));
    // Close commits the open group and answers only once it is durable.
    const closed = store.close();
    const closedState = settledFlag(closed);
    await turns(5);
    expect(calls).toHaveLength(1);
    expect(closedState.settled).toBe(false);
    calls[0]!.release();
    await closed;
    await expect(Promise.all(writes)).resolves.toEqual(["created", "created", "created"]);
    expect(existsSync(`${path}-wal`)).toBe(false);
    expect(inboundRowsInDatabaseFile(path)).toBe(3);
    const reopened = new SqliteConversationStore(path);
    await expect(reopened.recordInbound({ inbound: inboundReply("a") })).resolves.toBe("duplicate");
    await reopened.close();
  });

  it("does not keep a process alive that never closes it (the checkpointer's timer is unref'd)", async () => {
    // Built code in a child process (dist/, built by globalSetup): jest itself would not show it.
    const module = join(repoRoot, "dist", "runtime", "src", "store", "sqliteStore.js");
    const child = spawn(
      process.execPath,
      [
        "-e",
        `const { SqliteConversationStore } = require(process.argv[1]);
         new SqliteConversationStore(process.argv[2]).setOptOut("p", true, "t");`,
        module,
        nextPath(),
      ],
      { stdio: "ignore" },
    );
    const killer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    clearTimeout(killer);
    expect(code).toBe(0);
  }, 30_000);
});
