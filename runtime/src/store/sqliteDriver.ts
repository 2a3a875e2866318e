/**
 * The few SQLite calls the store makes, served by Node's built-in `node:sqlite` where it is stable
 * enough (Node >= 22.13, so the Node 24 container needs no native module) and by better-sqlite3 on
 * Node 20. Both are synchronous and expose the same prepare/run/get/all shape.
 */

export interface SqliteStatement {
  run(...params: SqlValue[]): { changes: number | bigint };
  get(...params: SqlValue[]): unknown;
  all(...params: SqlValue[]): unknown[];
}

export interface SqliteDatabase {
  exec(sql: string): void;
  prepare(sql: string): SqliteStatement;
  close(): void;
}

export type SqlValue = string | number | null;

export function sqliteDriverName(): "node:sqlite" | "better-sqlite3" {
  const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
  return major > 22 || (major === 22 && minor >= 13) ? "node:sqlite" : "better-sqlite3";
}

export function openSqliteDatabase(path: string): SqliteDatabase {
  if (sqliteDriverName() === "node:sqlite") {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { DatabaseSync } = require("node:sqlite") as {
      DatabaseSync: new (path: string) => SqliteDatabase;
    };
    return new DatabaseSync(path);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const BetterSqlite3 = require("better-sqlite3") as new (path: string) => SqliteDatabase;
  return new BetterSqlite3(path);
}
