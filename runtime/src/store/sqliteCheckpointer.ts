import { Worker } from "node:worker_threads";

/** The row of `PRAGMA wal_checkpoint`: busy 1 when blocked, frames in the WAL, frames copied. */
export interface CheckpointResult {
  busy: number;
  log: number;
  checkpointed: number;
}

export interface SqliteCheckpointerOptions {
  /** How often the WAL is checkpointed (PASSIVE). */
  intervalMs?: number;
  /** WAL length (frames) past which a RESTART lets the next writer start the WAL again. */
  restartFrames?: number;
  /** A checkpoint that failed (it is tried again at the next interval). */
  onError?: (message: string) => void;
}

/** SQLite's default automatic checkpoint is at 1,000 pages; this runs on time, not on size. */
const DEFAULT_INTERVAL_MS = 500;
/** About 16 MiB of 4 KiB pages. */
const DEFAULT_RESTART_FRAMES = 4000;

/*
 * The worker's code, as source: the store runs from TypeScript under jest and from `dist` in the
 * image, and an `eval` worker needs no file that exists in only one of them.
 *
 * Its own connection, with `synchronous = FULL`: a checkpoint syncs the WAL before it copies
 * frames into the database and syncs the database before it records them as copied, with
 * NORMAL or FULL (https://sqlite.org/pragma.html#pragma_synchronous: "the WAL file is
 * synchronized before each checkpoint and the database file is synchronized after each
 * completed checkpoint"). A writer starts the WAL again only once every frame is copied
 * (https://sqlite.org/wal.html, "Checkpointing"), so no frame is overwritten before the
 * database holding it is on disk.
 *
 * PASSIVE "checkpoint[s] as many frames as possible without waiting for any database readers or
 * writers to finish" (https://sqlite.org/c3ref/wal_checkpoint_v2.html): it never takes the
 * writer lock, so the event loop's COMMITs go on meanwhile. Under steady writes it rarely
 * catches up with the end of the WAL, and the WAL restarts only when it has, so past
 * `restartFrames` a RESTART runs: it takes the writer lock, copies what PASSIVE left (little,
 * it has just run) and waits for readers; with `busy_timeout = 0` it gives up at once instead
 * of holding the writer lock while it waits (it then reports busy and is tried again).
 * Checkpoints of several processes are serialised by SQLite's checkpointer lock; a blocked one
 * reports busy.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { DatabaseSync } = require("node:sqlite");
let db;
function connection() {
  if (!db) {
    db = new DatabaseSync(workerData.path);
    db.exec("PRAGMA busy_timeout = 0");
    db.exec("PRAGMA synchronous = FULL");
    db.exec("PRAGMA wal_autocheckpoint = 0");
  }
  return db;
}
function checkpoint() {
  const c = connection();
  let result = c.prepare("PRAGMA wal_checkpoint(PASSIVE)").get();
  if (result.busy === 0 && result.log >= workerData.restartFrames) {
    result = c.prepare("PRAGMA wal_checkpoint(RESTART)").get();
  }
  return { busy: result.busy, log: result.log, checkpointed: result.checkpointed };
}
function message(err) {
  return err instanceof Error ? err.message : String(err);
}
const timer = setInterval(() => {
  try {
    checkpoint();
  } catch (err) {
    parentPort.postMessage({ type: "error", message: message(err) });
  }
}, workerData.intervalMs);
parentPort.on("message", (request) => {
  if (request.type === "checkpoint") {
    try {
      parentPort.postMessage({ type: "result", id: request.id, result: checkpoint() });
    } catch (err) {
      parentPort.postMessage({ type: "result", id: request.id, error: message(err) });
    }
  } else if (request.type === "stop") {
    clearInterval(timer);
    try {
      if (db) db.close();
    } finally {
      parentPort.close();
    }
  }
});
`;

type WorkerReply =
  | { type: "error"; message: string }
  | { type: "result"; id: number; result?: CheckpointResult; error?: string };

/**
 * Checkpoints one SQLite database's WAL on a worker thread, so the copy and its two fsyncs never
 * run on the event loop. The store's own connection has `wal_autocheckpoint = 0` and never
 * checkpoints while it is open.
 */
export class SqliteCheckpointer {
  private readonly worker: Worker;
  private readonly waiting = new Map<
    number,
    { resolve: (r: CheckpointResult) => void; reject: (e: Error) => void }
  >();
  private nextId = 0;
  private readonly exited: Promise<void>;

  constructor(path: string, options: SqliteCheckpointerOptions = {}) {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        path,
        intervalMs: options.intervalMs ?? DEFAULT_INTERVAL_MS,
        restartFrames: options.restartFrames ?? DEFAULT_RESTART_FRAMES,
      },
    });
    const onError = options.onError ?? (() => undefined);
    this.worker.on("message", (reply: WorkerReply) => {
      if (reply.type === "error") {
        onError(reply.message);
        return;
      }
      const waiter = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      if (!waiter) return;
      if (reply.result) waiter.resolve(reply.result);
      else waiter.reject(new Error(`WAL checkpoint failed: ${reply.error ?? "unknown"}`));
    });
    this.exited = new Promise((resolve) => {
      this.worker.once("exit", () => {
        for (const waiter of this.waiting.values()) {
          waiter.reject(new Error("WAL checkpointer stopped"));
        }
        this.waiting.clear();
        resolve();
      });
    });
    this.worker.on("error", (err) => onError(err.message));
    // It must not keep the process alive by itself; `stop()` ends it in an orderly way. After
    // the listeners: adding a "message" listener refs the worker again.
    this.worker.unref();
  }

  /** Runs one checkpoint now (as the interval does) and answers its result. */
  checkpoint(): Promise<CheckpointResult> {
    const id = (this.nextId += 1);
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ type: "checkpoint", id });
    });
  }

  /**
   * Closes the worker's connection and ends the thread. Never `terminate()`: that could stop it
   * inside a checkpoint with the connection and its locks left open in this process.
   */
  async stop(): Promise<void> {
    // Referenced again: otherwise a process with nothing else to do exits before the worker
    // has closed its connection, and whoever awaits close() never hears back.
    this.worker.ref();
    this.worker.postMessage({ type: "stop" });
    await this.exited;
  }
}
