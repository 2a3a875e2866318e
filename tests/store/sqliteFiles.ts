import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { openSqliteDatabase } from "../../runtime/src/store/sqliteDriver";
import { fdatasyncFile } from "../../runtime/src/store/walSync";

/** What the SQLite store's durability tests share: held syncs, turns, and a look at the files. */

/** A file sync the test releases (then really fdatasyncs) or fails, one call at a time. */
export function heldSync() {
  const calls: { fd: number; release: () => void; fail: (err: Error) => void }[] = [];
  const syncFile = (fd: number) =>
    new Promise<void>((resolve, reject) => {
      calls.push({ fd, release: () => void fdatasyncFile(fd).then(resolve, reject), fail: reject });
    });
  return { calls, syncFile };
}

export const turns = async (count: number) => {
  for (let i = 0; i < count; i += 1) await new Promise((resolve) => setImmediate(resolve));
};

export function settledFlag<T>(promise: Promise<T>) {
  const state = { settled: false };
  promise.then(
    () => (state.settled = true),
    () => (state.settled = true),
  );
  return state;
}

/** The inbound rows a copy of the database file holds, alone or with a copy of its WAL. */
export function inboundRowsInCopy(path: string, withWal = false): number {
  const copyDir = mkdtempSync(join(dirname(path), "copy-"));
  const copy = join(copyDir, "copy.db");
  copyFileSync(path, copy);
  if (withWal) copyFileSync(`${path}-wal`, `${copy}-wal`);
  const db = openSqliteDatabase(copy);
  try {
    const table = db
      .prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'inbound_messages'")
      .get() as { n: number };
    if (table.n === 0) return 0;
    return (db.prepare("SELECT count(*) AS n FROM inbound_messages").get() as { n: number }).n;
  } finally {
    db.close();
    rmSync(copyDir, { recursive: true, force: true });
  }
}

/** The rows a copy of the database file alone holds: what is in it, not in its WAL. */
export const inboundRowsInDatabaseFile = (path: string) => inboundRowsInCopy(path);

export async function waitFor(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i += 1) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`gave up waiting for ${what}`);
}
