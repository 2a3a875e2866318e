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

/**
 * Sets the durability the store promises and brings the file's schema up to date: tables are
 * created if missing, and columns added after the first release are added to older files.
 */
export function prepareSqliteDatabase(db: SqliteDatabase): void {
  // First: processes sharing the file open it at the same time (the first one after the last
  // close recovers the WAL under an exclusive lock), and without a busy timeout the others fail
  // at once with "database is locked" instead of waiting.
  db.exec("PRAGMA busy_timeout = 5000");
  db.exec("PRAGMA journal_mode = WAL");
  // FULL: a 2xx to AWS promises the reply survives a power cut, not only a process crash.
  db.exec("PRAGMA synchronous = FULL");
  db.exec(SCHEMA);
  for (const { table, column, definition } of ADDED_COLUMNS) {
    const columns = db.prepare(`PRAGMA table_info(${table})`).all() as Record<string, SqlValue>[];
    if (!columns.some((c) => c.name === column)) {
      db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`);
    }
  }
}
