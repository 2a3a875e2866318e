import { closeSync, openSync } from "node:fs";
import {
  isBusy,
  openSqliteDatabase,
  type SqliteDatabase,
  type SqliteStatement,
} from "./sqliteDriver";
import { fdatasyncFile, type SyncFile } from "./walSync";

/** The row of `PRAGMA wal_checkpoint`: busy 1 when blocked, frames in the WAL, frames copied. */
export interface CheckpointResult {
  busy: number;
  log: number;
  checkpointed: number;
}

export interface SqliteCheckpointerOptions {
  /** How often the WAL is checkpointed when something was written since the last time. */
  intervalMs?: number;
  /**
   * A count that grows with every write this process commits: a tick with no new write skips
   * the checkpoint (and its two fsyncs). Without it every tick checkpoints.
   */
  writes?: () => number;
  /** fdatasync of the WAL before the copy and of the database after; a test holds or fails it. */
  syncFile?: SyncFile;
  /** A checkpoint that failed and lost nothing (it is tried again at the next tick). */
  onError?: (message: string) => void;
  /**
   * The database file's fdatasync failed after the copy: the store must stop writing (see the
   * class comment). Called once; the checkpointer stops.
   */
  onDatabaseSyncFailure?: (err: unknown) => void;
}

/** SQLite's default automatic checkpoint is at 1,000 pages; this runs on time, not on size. */
const DEFAULT_INTERVAL_MS = 500;

/** What a checkpoint answers when it could not take the writer lock (busy, as SQLite says it). */
const BUSY: CheckpointResult = { busy: 1, log: -1, checkpointed: -1 };

/**
 * Connections kept open after a failed database fsync, so that neither their close nor their
 * garbage collection ends them (see the class comment): the process is expected to be replaced.
 */
const keptAfterFailure: SqliteDatabase[] = [];

/**
 * Checkpoints one SQLite database's WAL from the event loop with no fsync on it. The store's own
 * connection has `wal_autocheckpoint = 0` and never checkpoints while it is open.
 *
 * A checkpoint copies the WAL's frames into the database file; only once that file is on disk
 * may a writer start the WAL again and overwrite them (https://sqlite.org/wal.html,
 * "Checkpointing"). SQLite would fsync both files inside the checkpoint (`synchronous` NORMAL or
 * FULL), on the calling thread. Here its copy connection runs `synchronous = OFF`, which skips
 * both fsyncs (https://sqlite.org/pragma.html#pragma_synchronous), and this class puts them back
 * around the copy, on libuv's thread pool, under the writer lock:
 *
 * 1. `BEGIN IMMEDIATE` on its lock connection takes the writer lock: no frame is added and no
 *    writer can start the WAL again until step 5. Busy (a write of another connection is open):
 *    nothing happens, the next tick tries again.
 * 2. fdatasync of the WAL: the frames about to be copied are on disk (a power cut cannot leave
 *    the database file with pages whose frames are gone).
 * 3. `PRAGMA wal_checkpoint(PASSIVE)` on the copy connection: the copy, with no fsync.
 * 4. fdatasync of the database file.
 * 5. ROLLBACK on the lock connection: the writer lock is free. The next write finds every frame
 *    copied and starts the WAL again, so the WAL stays as long as one interval's writes.
 *
 * The store's writes wait meanwhile, outside SQLite (`sqliteGroupCommit.ts`): two fsyncs on the
 * thread pool and the copy, which is the only part on the event loop. A failed step 2 or 3 loses
 * nothing (the WAL keeps its frames). A failed step 4 may have lost copied pages that SQLite
 * already counts as checkpointed (PostgreSQL's "fsyncgate",
 * https://wiki.postgresql.org/wiki/Fsync_Errors): the lock is then never released, so no writer
 * can overwrite the WAL, the connections stay open until the process exits (the next one to open
 * the file replays the whole WAL), and `onDatabaseSyncFailure` tells the store to stop.
 *
 * Replaces a worker thread that ran SQLite's own checkpoint: its isolate and event loop cost the
 * process about 14 MiB of RSS (README, "Performance").
 */
export class SqliteCheckpointer {
  private readonly lock: SqliteDatabase;
  private readonly copier: SqliteDatabase;
  private readonly copy: SqliteStatement;
  private readonly walFd: number;
  private readonly databaseFd: number;
  private readonly syncFile: SyncFile;
  private readonly writes: (() => number) | undefined;
  private readonly onError: (message: string) => void;
  private readonly onDatabaseSyncFailure: (err: unknown) => void;
  private readonly timer: NodeJS.Timeout;
  private running: Promise<CheckpointResult> | undefined;
  private writesAtLastCheckpoint = -1;
  private stopped = false;
  private failed = false;

  constructor(path: string, options: SqliteCheckpointerOptions = {}) {
    this.syncFile = options.syncFile ?? fdatasyncFile;
    this.writes = options.writes;
    this.onError = options.onError ?? (() => undefined);
    this.onDatabaseSyncFailure = options.onDatabaseSyncFailure ?? (() => undefined);
    const opened: SqliteDatabase[] = [];
    const fds: number[] = [];
    try {
      this.lock = openSqliteDatabase(path);
      opened.push(this.lock);
      this.lock.exec("PRAGMA busy_timeout = 0");
      this.copier = openSqliteDatabase(path);
      opened.push(this.copier);
      this.copier.exec("PRAGMA busy_timeout = 0");
      this.copier.exec("PRAGMA synchronous = OFF");
      this.copier.exec("PRAGMA wal_autocheckpoint = 0");
      this.copy = this.copier.prepare("PRAGMA wal_checkpoint(PASSIVE)");
      // "r+": fdatasync needs a descriptor open for writing (POSIX); nothing is written through it.
      this.walFd = openSync(`${path}-wal`, "r+");
      fds.push(this.walFd);
      this.databaseFd = openSync(path, "r+");
    } catch (err) {
      for (const fd of fds) closeSync(fd);
      for (const db of opened.reverse()) db.close();
      throw err;
    }
    this.timer = setInterval(() => void this.tick(), options.intervalMs ?? DEFAULT_INTERVAL_MS);
    // It must not keep the process alive by itself; `stop()` ends it in an orderly way.
    this.timer.unref();
  }

  /** Runs one checkpoint now (after the one running, if any) and answers its result. */
  checkpoint(): Promise<CheckpointResult> {
    if (this.stopped) return Promise.reject(new Error("WAL checkpointer stopped"));
    const previous = this.running ?? Promise.resolve(BUSY);
    const next = previous.catch(() => BUSY).then(() => this.checkpointOnce());
    this.running = next;
    const clear = () => {
      if (this.running === next) this.running = undefined;
    };
    next.then(clear, clear);
    return next;
  }

  /**
   * Waits for the checkpoint running, if any, and closes the connections: before the store's
   * own, so that the copy connection (`synchronous = OFF`) is never the file's last, which would
   * checkpoint and delete the WAL with no fsync.
   */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
    if (this.failed) return;
    closeSync(this.walFd);
    closeSync(this.databaseFd);
    this.copier.close();
    this.lock.close();
  }

  private async tick(): Promise<void> {
    if (this.running || this.stopped) return;
    const writes = this.writes?.();
    if (writes !== undefined && writes === this.writesAtLastCheckpoint) return;
    try {
      const result = await this.checkpoint();
      if (result.busy === 0 && writes !== undefined) this.writesAtLastCheckpoint = writes;
    } catch (err) {
      if (!this.failed) this.onError(err instanceof Error ? err.message : String(err));
    }
  }

  private async checkpointOnce(): Promise<CheckpointResult> {
    if (this.failed) throw new Error("WAL checkpointer stopped after a failed database fsync");
    try {
      this.lock.exec("BEGIN IMMEDIATE");
    } catch (err) {
      if (isBusy(err)) return BUSY;
      throw err;
    }
    let release = true;
    try {
      await this.syncFile(this.walFd);
      const row = this.copy.get() as CheckpointResult;
      const result = { busy: row.busy, log: row.log, checkpointed: row.checkpointed };
      if (result.checkpointed > 0) {
        try {
          await this.syncFile(this.databaseFd);
        } catch (err) {
          release = false;
          this.failAfterCopy(err);
          throw err;
        }
      }
      return result;
    } finally {
      if (release) this.lock.exec("ROLLBACK");
    }
  }

  private failAfterCopy(err: unknown): void {
    this.failed = true;
    this.stopped = true;
    clearInterval(this.timer);
    keptAfterFailure.push(this.lock, this.copier);
    this.onDatabaseSyncFailure(err);
  }
}
