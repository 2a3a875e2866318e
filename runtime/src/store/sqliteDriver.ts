/**
 * The few `node:sqlite` calls the store makes, typed here because the project's `@types/node`
 * (20) does not describe the module. `node:sqlite` is built in from Node 22.13 (package.json
 * `engines`), so the embedded store needs no native module.
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

/** SQLITE_BUSY: another connection holds the lock (node:sqlite puts SQLite's code in `errcode`). */
export function isBusy(err: unknown): boolean {
  return (err as { errcode?: unknown } | null)?.errcode === 5;
}

export function openSqliteDatabase(path: string): SqliteDatabase {
  let DatabaseSync: new (path: string) => SqliteDatabase;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    ({ DatabaseSync } = require("node:sqlite") as {
      DatabaseSync: new (path: string) => SqliteDatabase;
    });
  } catch (err) {
    throw new Error(
      `the SQLite store needs Node's built-in node:sqlite (Node ^22.13.0 or >= 24); this is Node ${process.versions.node}: run a supported Node or set STORE=dynamodb:<table>`,
      { cause: err },
    );
  }
  return new DatabaseSync(path);
}
