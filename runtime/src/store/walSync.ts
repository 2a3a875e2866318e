import { closeSync, fdatasync, fsyncSync, openSync } from "node:fs";
import { dirname } from "node:path";

/** Flushes one open file to the disk; a test passes one it can hold or fail. */
export type SyncFile = (fd: number) => Promise<void>;

/** fdatasync(2) on libuv's thread pool: the event loop runs on while the disk works. */
export const fdatasyncFile: SyncFile = (fd) =>
  new Promise((resolve, reject) => {
    fdatasync(fd, (err) => (err ? reject(err) : resolve()));
  });

/**
 * A descriptor of a database's `-wal` file, for making committed WAL frames durable.
 *
 * fsync flushes the file (its inode), not the descriptor, so one sync covers every frame any
 * connection has written to it so far, and the checksum chain of WAL frames means a later
 * transaction is never valid without the earlier ones (https://sqlite.org/walformat.html, "The
 * WAL File"). The file is opened after the connection has created it, and stays the same file
 * while that connection is open: SQLite deletes a WAL only when the last connection closes
 * (https://sqlite.org/wal.html, "Persistence of WAL mode"), and this process's connection holds
 * the database open until after `close()` here.
 */
export class WalFileSync {
  private readonly fd: number;

  constructor(
    databasePath: string,
    private readonly syncFile: SyncFile = fdatasyncFile,
  ) {
    const walPath = `${databasePath}-wal`;
    // "r+", no create: fdatasync needs a descriptor open for writing (POSIX), and a missing WAL
    // means the connection is not in WAL mode, which this must not paper over.
    this.fd = openSync(walPath, "r+");
    // A new file's name is durable only once its directory is synced. SQLite does that at its
    // first sync of a new WAL; done here once too, so nothing rests on when that happens.
    const dir = openSync(dirname(walPath), "r");
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
  }

  sync(): Promise<void> {
    return this.syncFile(this.fd);
  }

  close(): void {
    closeSync(this.fd);
  }
}
