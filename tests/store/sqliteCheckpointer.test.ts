import { existsSync, mkdtempSync, readlinkSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StoreUnavailableError } from "../../runtime/src/errors";
import { SqliteCheckpointer } from "../../runtime/src/store/sqliteCheckpointer";
import { SqliteConversationStore } from "../../runtime/src/store/sqliteStore";
import type { SyncFile } from "../../runtime/src/store/walSync";
import { inboundReply } from "./inboundReplyFixture";
import {
  heldSync,
  inboundRowsInCopy,
  inboundRowsInDatabaseFile,
  settledFlag,
  waitFor,
} from "./sqliteFiles";

/**
 * The WAL checkpoint from the event loop (`sqliteCheckpointer.ts`): under the writer lock, the WAL
 * is synced before the copy and the database file after it, and only then can a writer start the
 * WAL again. A failed sync of the database file keeps the WAL and fails the store.
 */
const dir = mkdtempSync(join(tmpdir(), "eum-sms-checkpointer-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const nextPath = () => join(dir, `store-${(n += 1)}`, "sms.db");
/** Long enough that the store's own checkpointer never runs within a test. */
const NEVER = 3_600_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** The file an open descriptor of this process names. */
const fileOf = (fd: number) => readlinkSync(`/proc/self/fd/${fd}`);

async function storeWithRows(path: string, count: number, syncCheckpoint?: SyncFile) {
  const store = new SqliteConversationStore(path, undefined, {
    checkpointIntervalMs: syncCheckpoint ? 20 : NEVER,
    syncCheckpoint,
  });
  for (let i = 0; i < count; i += 1) await store.recordInbound({ inbound: inboundReply(`m${i}`) });
  return store;
}

describe("SqliteCheckpointer", () => {
  it("syncs the WAL, copies, syncs the database file, and holds the store's writes until then", async () => {
    const path = nextPath();
    const store = await storeWithRows(path, 3);
    const { calls, syncFile } = heldSync();
    const checkpointer = new SqliteCheckpointer(path, { intervalMs: NEVER, syncFile });
    try {
      const result = checkpointer.checkpoint();
      await waitFor(() => calls.length === 1, "the WAL's sync");
      expect(fileOf(calls[0]!.fd)).toBe(`${path}-wal`);
      // The writer lock is held: a write waits (outside SQLite) and nothing is copied yet.
      const write = store.recordInbound({ inbound: inboundReply("during") });
      const writeState = settledFlag(write);
      await sleep(30);
      expect(writeState.settled).toBe(false);
      expect(inboundRowsInDatabaseFile(path)).toBe(0);

      calls[0]!.release();
      await waitFor(() => calls.length === 2, "the database file's sync");
      expect(fileOf(calls[1]!.fd)).toBe(path);
      // Copied into the database file, which is not yet known to be on disk: the WAL must not
      // start again, so the write still waits.
      expect(inboundRowsInDatabaseFile(path)).toBe(3);
      await sleep(30);
      expect(writeState.settled).toBe(false);

      calls[1]!.release();
      const { busy, log, checkpointed } = await result;
      expect(busy).toBe(0);
      expect(log).toBeGreaterThan(0);
      expect(checkpointed).toBe(log);
      await expect(write).resolves.toBe("created");
      // That write started the WAL again: it holds only its own frames now.
      const next = checkpointer.checkpoint();
      await waitFor(() => calls.length === 3, "the next checkpoint's WAL sync");
      calls[2]!.release();
      await waitFor(() => calls.length === 4, "the next checkpoint's database sync");
      calls[3]!.release();
      expect((await next).log).toBeLessThan(log);
    } finally {
      await checkpointer.stop();
      await store.close();
    }
    expect(inboundRowsInDatabaseFile(path)).toBe(4);
  });

  it("skips a tick with no write since its last checkpoint, so an idle store syncs nothing", async () => {
    const path = nextPath();
    const synced: string[] = [];
    const store = await storeWithRows(path, 2, async (fd) => {
      synced.push(fileOf(fd));
    });
    try {
      await waitFor(() => inboundRowsInDatabaseFile(path) === 2, "the checkpointer");
      // Some ticks of 20 ms with no write: no checkpoint, no sync.
      await sleep(50);
      const quiet = synced.length;
      await sleep(150);
      expect(synced).toHaveLength(quiet);
      await store.recordInbound({ inbound: inboundReply("later") });
      await waitFor(() => inboundRowsInDatabaseFile(path) === 3, "the checkpoint after a write");
      expect(synced.length).toBeGreaterThan(quiet);
    } finally {
      await store.close();
    }
  });

  it("keeps the WAL as short as an interval's writes under steady writes", async () => {
    const path = nextPath();
    const writes = 400;
    const store = new SqliteConversationStore(path, undefined, { checkpointIntervalMs: 10 });
    try {
      for (let i = 0; i < writes; i += 1) {
        await store.recordInbound({ inbound: inboundReply(`m${i}`) });
      }
      // One group per write, each of more than one 4 KiB frame: a WAL that never started again
      // would be longer than this.
      expect(statSync(`${path}-wal`).size).toBeLessThan(writes * 4096);
    } finally {
      await store.close();
    }
    expect(inboundRowsInDatabaseFile(path)).toBe(writes);
  });

  it("copies nothing and lets writes go on when the WAL's sync fails", async () => {
    const path = nextPath();
    const store = await storeWithRows(path, 2);
    const checkpointer = new SqliteCheckpointer(path, {
      intervalMs: NEVER,
      syncFile: () => Promise.reject(new Error("EIO: i/o error, fdatasync")),
    });
    try {
      await expect(checkpointer.checkpoint()).rejects.toThrow("EIO");
      expect(inboundRowsInDatabaseFile(path)).toBe(0);
      await expect(store.recordInbound({ inbound: inboundReply("after") })).resolves.toBe(
        "created",
      );
    } finally {
      await checkpointer.stop();
      await store.close();
    }
  });

  it("keeps the WAL and fails the store when the database file's sync fails after the copy", async () => {
    const path = nextPath();
    let failing = false;
    let syncs = 0;
    const store = await storeWithRows(path, 3, async (fd) => {
      if (!failing) return;
      syncs += 1;
      if (fileOf(fd) === path) throw new Error("EIO: i/o error, fdatasync");
    });
    // Syncs fail only from here: a checkpoint between the rows' writes would fail the store while
    // storeWithRows still writes. This write, in the same turn, gives the next checkpoint work;
    // its group may be failed too while it waits for its WAL sync, but it is committed either way.
    failing = true;
    const trigger = store.recordInbound({ inbound: inboundReply("m3") }).then(
      () => "created",
      (err: unknown) => (err instanceof StoreUnavailableError ? "unavailable" : err),
    );
    // The copied pages may be lost: no writer may start the WAL again over their frames, and the
    // store says it is out of service (503s, so AWS retries elsewhere; /readyz fails).
    await waitFor(() => syncs >= 2, "the checkpoint");
    expect(["created", "unavailable"]).toContain(await trigger);
    await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.recordInbound({ inbound: inboundReply("after") })).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
    await store.close();
    // Closing did not checkpoint and delete the WAL (its connections stay open until the process
    // exits): whoever opens the file next replays every frame.
    expect(existsSync(`${path}-wal`)).toBe(true);
    expect(inboundRowsInCopy(path, true)).toBe(4);
  });
});
