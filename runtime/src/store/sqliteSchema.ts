import type { SqliteDatabase, SqlValue } from "./sqliteDriver";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS conversations (
  conversation_id TEXT PRIMARY KEY,
  patient_ref TEXT NOT NULL,
  slots TEXT NOT NULL,
  status TEXT NOT NULL,
  selected_slot INTEGER,
  last_message_id TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  creation_token TEXT
);
CREATE INDEX IF NOT EXISTS conversations_by_patient ON conversations (patient_ref, created_at);
CREATE TABLE IF NOT EXISTS outbound_messages (
  message_id TEXT PRIMARY KEY,
  conversation_id TEXT,
  patient_ref TEXT NOT NULL,
  parts INTEGER NOT NULL,
  encoding TEXT NOT NULL,
  sent_at TEXT NOT NULL,
  delivery_status TEXT NOT NULL,
  delivery_final INTEGER NOT NULL,
  delivery_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS inbound_messages (
  inbound_message_id TEXT PRIMARY KEY,
  sns_message_id TEXT NOT NULL UNIQUE,
  conversation_id TEXT,
  patient_ref TEXT NOT NULL,
  kind TEXT NOT NULL,
  text TEXT NOT NULL,
  received_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS inbound_by_conversation ON inbound_messages (conversation_id, received_at);
CREATE TABLE IF NOT EXISTS opt_outs (
  patient_ref TEXT PRIMARY KEY,
  opted_out INTEGER NOT NULL,
  updated_at TEXT NOT NULL,
  version TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS idempotency_keys (
  key TEXT PRIMARY KEY,
  token TEXT NOT NULL DEFAULT '',
  fingerprint TEXT NOT NULL,
  state TEXT NOT NULL,
  response TEXT,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS pending_effects (
  inbound_message_id TEXT NOT NULL,
  effect_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  action TEXT NOT NULL,
  record TEXT NOT NULL,
  outcome TEXT,
  PRIMARY KEY (inbound_message_id, effect_id)
);
CREATE TABLE IF NOT EXISTS registration_events (
  registration_id TEXT PRIMARY KEY,
  status TEXT NOT NULL,
  at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sends (
  send_id TEXT PRIMARY KEY,
  record TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS send_provider_messages (
  provider_message_id TEXT PRIMARY KEY,
  send_id TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS consents (
  patient_ref TEXT NOT NULL,
  scope TEXT NOT NULL,
  record TEXT NOT NULL,
  at TEXT NOT NULL,
  PRIMARY KEY (patient_ref, scope)
);
CREATE TABLE IF NOT EXISTS cap_sends (
  patient_ref TEXT NOT NULL,
  sent_at TEXT NOT NULL,
  send_id TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  PRIMARY KEY (patient_ref, sent_at, send_id)
);
CREATE TABLE IF NOT EXISTS rate_windows (
  identity TEXT NOT NULL,
  window_start_ms INTEGER NOT NULL,
  parts INTEGER NOT NULL,
  PRIMARY KEY (identity, window_start_ms)
);
`;

/** Columns added after the first release: added to databases created before them. */
const ADDED_COLUMNS: readonly { table: string; column: string; definition: string }[] = [
  { table: "conversations", column: "creation_token", definition: "TEXT" },
  { table: "opt_outs", column: "version", definition: "TEXT NOT NULL DEFAULT ''" },
  { table: "idempotency_keys", column: "token", definition: "TEXT NOT NULL DEFAULT ''" },
];

/** How the connection makes a COMMIT durable, as `prepareSqliteDatabase` set it. */
export type SqliteDurability =
  /** WAL with `synchronous = NORMAL`: the caller must sync the `-wal` file after each COMMIT. */
  | "sync-wal-after-commit"
  /** Not in WAL mode (`:memory:`, or a file system without shared memory): COMMIT syncs (FULL). */
  | "commit-syncs";

/**
 * How long a statement waits for a lock another connection holds (opening the store, reads). The
 * store's `BEGIN`s run with none: they wait outside SQLite, where the event loop goes on
 * (`sqliteGroupCommit.ts`).
 */
export const BUSY_TIMEOUT_MS = 5000;

/** SQLite keeps this much of a WAL file after it starts the WAL again (pragma journal_size_limit). */
const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

/**
 * Sets the durability the store promises and brings the file's schema up to date: tables are
 * created if missing, and columns added after the first release are added to older files.
 *
 * The durability: a 2xx to AWS promises the write survives a power cut, not only a process
 * crash. In WAL mode the connection runs `synchronous = NORMAL` and its caller syncs the WAL
 * after each COMMIT on libuv's thread pool (`sqliteGroupCommit.ts`), so no fsync stalls the
 * event loop; `synchronous = FULL` would fsync inside COMMIT, on the event loop.
 * (https://sqlite.org/pragma.html#pragma_synchronous: with NORMAL in WAL mode "the WAL file is
 * synchronized before each checkpoint and the database file is synchronized after each completed
 * checkpoint and the WAL file header is synchronized when a WAL file begins to be reused after a
 * checkpoint, but no sync operations occur during most transactions".)
 *
 * NORMAL, not OFF: both leave the COMMIT without an fsync, but OFF also skips the WAL header's
 * sync when the WAL starts again, of which SQLite's wal.c says "Otherwise an out-of-order write
 * following a WAL restart could result in database corruption" (ticket ff5be73dee): with the
 * old header on disk and only some of the new frames, recovery would replay old, already
 * copied frames over newer database pages. That corrupts writes answered long before, which no
 * sync after the COMMIT can prevent. NORMAL costs one small fsync each time the WAL restarts.
 *
 * `wal_autocheckpoint = 0`: this connection never checkpoints by itself (a checkpoint copies
 * pages and fsyncs twice, inside some COMMIT, on the event loop); `sqliteCheckpointer.ts` does
 * it with its fsyncs on the thread pool
 * (https://sqlite.org/pragma.html#pragma_wal_autocheckpoint, https://sqlite.org/wal.html
 * "Application-Initiated Checkpoints"). On close the last connection
 * still checkpoints and deletes the WAL, syncing as NORMAL does before and after the copy.
 */
export function prepareSqliteDatabase(db: SqliteDatabase): SqliteDurability {
  // First: processes sharing the file open it at the same time (the first one after the last
  // close recovers the WAL under an exclusive lock), and without a busy timeout the others fail
  // at once with "database is locked" instead of waiting.
  db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
  const mode = db.prepare("PRAGMA journal_mode = WAL").get() as Record<string, SqlValue>;
  const durability: SqliteDurability =
    mode.journal_mode === "wal" ? "sync-wal-after-commit" : "commit-syncs";
  if (durability === "sync-wal-after-commit") {
    db.exec("PRAGMA synchronous = NORMAL");
    db.exec("PRAGMA wal_autocheckpoint = 0");
    db.exec(`PRAGMA journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
  } else {
    db.exec("PRAGMA synchronous = FULL");
  }
  db.exec(SCHEMA);
  for (const { table, column, definition } of ADDED_COLUMNS) {
    const columns = db.prepare(`PRAGMA table_info(${table})`).all() as Record<string, SqlValue>[];
    if (!columns.some((c) => c.name === column)) {
      db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`);
    }
  }
  return durability;
}
