import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type {
  ClaimResult,
  Conversation,
  ConversationStatus,
  ConversationStore,
  DeliveryStatus,
  IdempotencyRecord,
  InboundKind,
  InboundMessage,
  OutboundMessage,
  PendingEffect,
  RecordInboundInput,
  RegistrationEvent,
} from "./conversationStore";
import { optOutVersion, statusesAllowedBefore } from "./conversationStates";
import { openSqliteDatabase, type SqliteDatabase, type SqlValue } from "./sqliteDriver";
import { OutboundStoreDelegate, type OutboundStore } from "./outboundStore";
import { GroupCommitDatabase } from "./sqliteGroupCommit";
import { SqliteCheckpointer } from "./sqliteCheckpointer";
import { SqliteOutboundStore } from "./sqliteOutboundStore";
import { prepareSqliteDatabase } from "./sqliteSchema";
import { WalFileSync, type SyncFile } from "./walSync";
type Row = Record<string, SqlValue>;

/** Opens the database file; a test passes one that fails on cue. */
export type OpenSqliteDatabase = (path: string) => SqliteDatabase;

export interface SqliteStoreOptions {
  /** Flushes the WAL file after each group's COMMIT (fdatasync); a test holds or fails it. */
  syncWal?: SyncFile;
  /** The checkpointer's interval (`sqliteCheckpointer.ts`). */
  checkpointIntervalMs?: number;
  /** The checkpointer's fdatasync of the WAL and of the database file; a test holds or fails it. */
  syncCheckpoint?: SyncFile;
}

/**
 * The embedded store: one SQLite file in WAL mode on a single connection whose writes are
 * committed in groups and made durable by an fdatasync of the WAL off the event loop
 * (`sqliteGroupCommit.ts`, `walSync.ts`), checkpointed from the event loop with its fsyncs on
 * the thread pool (`sqliteCheckpointer.ts`); the schema and pragmas are in `sqliteSchema.ts`.
 * SQLite calls are synchronous, so no other request interleaves with an operation. The outbound
 * queue's records are kept by `SqliteOutboundStore` on the same connection, so their writes share
 * its group commit.
 */
export class SqliteConversationStore
  extends OutboundStoreDelegate
  implements ConversationStore, OutboundStore
{
  private readonly db: GroupCommitDatabase;
  protected readonly outbound: SqliteOutboundStore;
  private readonly walSync: WalFileSync | undefined;
  private readonly checkpointer: SqliteCheckpointer | undefined;
  private closing: Promise<void> | undefined;

  constructor(
    path: string,
    open: OpenSqliteDatabase = openSqliteDatabase,
    options: SqliteStoreOptions = {},
  ) {
    super();
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    const db = open(path);
    const durability = prepareSqliteDatabase(db);
    if (durability === "sync-wal-after-commit") {
      try {
        this.walSync = new WalFileSync(path, options.syncWal);
      } catch (err) {
        db.close();
        throw err;
      }
    }
    const walSync = this.walSync;
    this.db = new GroupCommitDatabase(db, walSync ? { sync: () => walSync.sync() } : {});
    if (walSync) {
      const groups = this.db;
      try {
        this.checkpointer = new SqliteCheckpointer(path, {
          intervalMs: options.checkpointIntervalMs,
          syncFile: options.syncCheckpoint,
          writes: () => groups.commits,
          // A failing checkpoint loses nothing (the WAL keeps the frames) but lets the WAL grow;
          // SQLite's message names no row, so it carries no PHI.
          onError: (message) =>
            process.emitWarning(`SQLite WAL checkpoint failed: ${message}`, {
              code: "EUM_SQLITE_CHECKPOINT",
            }),
          onDatabaseSyncFailure: (err) => groups.fail(err),
        });
      } catch (err) {
        walSync.close();
        db.close();
        throw err;
      }
    }
    this.outbound = new SqliteOutboundStore(this.db);
  }

  /** Fails once a sync of the WAL has failed: the store then answers every operation 503. */
  ping(): Promise<void> {
    return this.db.run(
      "ping",
      () => {
        this.db.sql("SELECT 1").get();
      },
      "read",
    );
  }

  /**
   * Answers once every answered write is durable. The checkpointer stops first, so this
   * process's main connection is the one that closes last; if it is the last connection to
   * the file, SQLite checkpoints (syncing before and after, as NORMAL does) and deletes the WAL.
   */
  close(): Promise<void> {
    this.closing ??= this.closeOnce();
    return this.closing;
  }

  private async closeOnce(): Promise<void> {
    try {
      await this.checkpointer?.stop();
    } finally {
      try {
        await this.db.close();
      } finally {
        this.walSync?.close();
      }
    }
  }

  createConversation(c: Conversation): Promise<boolean> {
    return this.db.run("createConversation", () => {
      const result = this.db
        .sql(
          `INSERT OR IGNORE INTO conversations
           (conversation_id, patient_ref, slots, status, selected_slot, last_message_id, created_at, updated_at, expires_at, creation_token)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          c.conversationId,
          c.patientRef,
          JSON.stringify(c.slots),
          c.status,
          c.selectedSlot ?? null,
          c.lastMessageId ?? null,
          c.createdAt,
          c.updatedAt,
          c.expiresAt,
          c.creationToken ?? null,
        );
      if (Number(result.changes) === 1) return true;
      if (c.creationToken === undefined) return false;
      const row = this.db
        .sql("SELECT creation_token FROM conversations WHERE conversation_id = ?")
        .get(c.conversationId) as Row | undefined;
      return row?.creation_token === c.creationToken;
    });
  }

  deleteConversation(conversationId: string): Promise<void> {
    return this.db.run("deleteConversation", () => {
      this.db.sql("DELETE FROM conversations WHERE conversation_id = ?").run(conversationId);
    });
  }

  getConversation(conversationId: string): Promise<Conversation | undefined> {
    return this.db.run(
      "getConversation",
      () => {
        const row = this.db
          .sql("SELECT * FROM conversations WHERE conversation_id = ?")
          .get(conversationId) as Row | undefined;
        return row ? toConversation(row) : undefined;
      },
      "read",
    );
  }

  setConversationMessage(conversationId: string, messageId: string): Promise<void> {
    return this.db.run("setConversationMessage", () => {
      this.db
        .sql("UPDATE conversations SET last_message_id = ? WHERE conversation_id = ?")
        .run(messageId, conversationId);
    });
  }

  latestOpenConversation(patientRef: string, now: string): Promise<Conversation | undefined> {
    return this.db.run(
      "latestOpenConversation",
      () => {
        const row = this.db
          .sql(
            `SELECT * FROM conversations
           WHERE patient_ref = ? AND status != 'opted_out' AND expires_at > ?
           ORDER BY created_at DESC, rowid DESC LIMIT 1`,
          )
          .get(patientRef, now) as Row | undefined;
        return row ? toConversation(row) : undefined;
      },
      "read",
    );
  }

  recordOutbound(m: OutboundMessage): Promise<void> {
    return this.db.run("recordOutbound", () => {
      this.insertOutbound(m);
      if (m.conversationId) {
        this.db
          .sql("UPDATE conversations SET last_message_id = ? WHERE conversation_id = ?")
          .run(m.messageId, m.conversationId);
      }
    });
  }

  private insertOutbound(m: OutboundMessage): void {
    this.db
      .sql(
        `INSERT OR REPLACE INTO outbound_messages
           (message_id, conversation_id, patient_ref, parts, encoding, sent_at, delivery_status, delivery_final, delivery_at, expires_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        m.messageId,
        m.conversationId ?? null,
        m.patientRef,
        m.parts,
        m.encoding,
        m.sentAt,
        m.delivery.status,
        m.delivery.final ? 1 : 0,
        m.delivery.at,
        m.expiresAt,
      );
  }

  getOutbound(messageId: string): Promise<OutboundMessage | undefined> {
    return this.db.run(
      "getOutbound",
      () => {
        const row = this.db
          .sql("SELECT * FROM outbound_messages WHERE message_id = ?")
          .get(messageId) as Row | undefined;
        return row ? toOutbound(row) : undefined;
      },
      "read",
    );
  }

  updateDelivery(messageId: string, d: DeliveryStatus): Promise<boolean> {
    return this.db.run(
      "updateDelivery",
      () => {
        const updated = this.db
          .sql(
            `UPDATE outbound_messages
             SET delivery_status = ?, delivery_final = ?, delivery_at = ?
             WHERE message_id = ? AND delivery_final = 0 AND (delivery_at <= ? OR ? = 1)`,
          )
          // A final status beats any non-final one whatever their times (issue 9, finding 6).
          .run(d.status, d.final ? 1 : 0, d.at, messageId, d.at, d.final ? 1 : 0);
        if (Number(updated.changes) === 1) return true;
        // Nothing changed: an unknown message, or a final or newer status already there. Only
        // then is the row looked up (most events are newer and cost the one statement).
        return (
          this.db.sql("SELECT 1 FROM outbound_messages WHERE message_id = ?").get(messageId) !==
          undefined
        );
      },
      "one-statement-write",
    );
  }

  recordInbound(input: RecordInboundInput): Promise<"created" | "duplicate"> {
    const m = input.inbound;
    return this.db.run("recordInbound", () => {
      const inserted = this.db
        .sql(
          `INSERT OR IGNORE INTO inbound_messages
             (inbound_message_id, sns_message_id, conversation_id, patient_ref, kind, text, received_at, expires_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          m.inboundMessageId,
          m.snsMessageId,
          m.conversationId ?? null,
          m.patientRef,
          m.kind,
          m.text,
          m.receivedAt,
          m.expiresAt,
        );
      if (Number(inserted.changes) === 0) return "duplicate" as const;
      const update = input.conversationUpdate;
      // A status no transition leads to (awaiting_reply) is never written by a reply.
      if (update && statusesAllowedBefore(update.status).length > 0) {
        const from = statusesAllowedBefore(update.status);
        this.db
          .sql(
            `UPDATE conversations SET status = ?, selected_slot = COALESCE(?, selected_slot), updated_at = ?
               WHERE conversation_id = ? AND status IN (${from.map(() => "?").join(", ")})`,
          )
          .run(
            update.status,
            update.selectedSlot ?? null,
            m.receivedAt,
            update.conversationId,
            ...from,
          );
      }
      if (input.optOut) {
        this.writeOptOut(
          input.optOut.patientRef,
          input.optOut.optedOut,
          m.receivedAt,
          optOutVersion(m.receivedAt, m.inboundMessageId),
        );
      }
      for (const e of input.effects ?? []) {
        this.db
          .sql(
            `INSERT INTO pending_effects (inbound_message_id, effect_id, kind, action, record, outcome)
               VALUES (?, ?, ?, ?, ?, ?)`,
          )
          .run(m.inboundMessageId, e.effectId, e.kind, e.action, e.record, e.outcome ?? null);
      }
      return "created" as const;
    });
  }

  listReplies(conversationId: string): Promise<InboundMessage[]> {
    return this.db.run(
      "listReplies",
      () =>
        (
          this.db
            .sql(
              "SELECT * FROM inbound_messages WHERE conversation_id = ? ORDER BY received_at, rowid",
            )
            .all(conversationId) as Row[]
        ).map(toInbound),
      "read",
    );
  }

  pendingEffects(inboundMessageId: string): Promise<PendingEffect[]> {
    return this.db.run(
      "pendingEffects",
      () =>
        (
          this.db
            .sql("SELECT * FROM pending_effects WHERE inbound_message_id = ? ORDER BY effect_id")
            .all(inboundMessageId) as Row[]
        ).map((row) => ({
          effectId: String(row.effect_id),
          kind: String(row.kind) as PendingEffect["kind"],
          action: String(row.action),
          record: String(row.record),
          ...(row.outcome === null ? {} : { outcome: String(row.outcome) }),
        })),
      "read",
    );
  }

  takeEffect(inboundMessageId: string, effectId: string): Promise<boolean> {
    return this.db.run("takeEffect", () => {
      const result = this.db
        .sql("DELETE FROM pending_effects WHERE inbound_message_id = ? AND effect_id = ?")
        .run(inboundMessageId, effectId);
      return Number(result.changes) === 1;
    });
  }

  isOptedOut(patientRef: string): Promise<boolean> {
    return this.db.run(
      "isOptedOut",
      () => {
        const row = this.db
          .sql("SELECT opted_out FROM opt_outs WHERE patient_ref = ?")
          .get(patientRef) as Row | undefined;
        return row?.opted_out === 1;
      },
      "read",
    );
  }

  setOptOut(patientRef: string, optedOut: boolean, at: string): Promise<boolean> {
    return this.db.run("setOptOut", () =>
      this.writeOptOut(patientRef, optedOut, at, optOutVersion(at)),
    );
  }

  /** Newest decision wins: an older keyword processed late changes nothing. */
  private writeOptOut(patientRef: string, optedOut: boolean, at: string, version: string): boolean {
    const result = this.db
      .sql(
        `INSERT INTO opt_outs (patient_ref, opted_out, updated_at, version) VALUES (?, ?, ?, ?)
         ON CONFLICT (patient_ref) DO UPDATE SET opted_out = excluded.opted_out,
           updated_at = excluded.updated_at, version = excluded.version
         WHERE opt_outs.version < excluded.version`,
      )
      .run(patientRef, optedOut ? 1 : 0, at, version);
    return Number(result.changes) === 1;
  }

  claimIdempotencyKey(record: IdempotencyRecord): Promise<ClaimResult> {
    return this.db.run("claimIdempotencyKey", (): ClaimResult => {
      // An expired record no longer holds its key.
      const changed = this.db
        .sql(
          `INSERT INTO idempotency_keys (key, token, fingerprint, state, response, created_at, expires_at)
             VALUES (?, ?, ?, ?, NULL, ?, ?)
             ON CONFLICT (key) DO UPDATE SET token = excluded.token, fingerprint = excluded.fingerprint,
               state = excluded.state, response = NULL, created_at = excluded.created_at,
               expires_at = excluded.expires_at
             WHERE idempotency_keys.expires_at <= excluded.created_at`,
        )
        .run(
          record.key,
          record.token,
          record.fingerprint,
          record.state,
          record.createdAt,
          record.expiresAt,
        );
      if (Number(changed.changes) === 1) return { claimed: true };
      const row = this.db
        .sql("SELECT * FROM idempotency_keys WHERE key = ?")
        .get(record.key) as Row;
      const existing = toIdempotency(row);
      if (existing.token === record.token && existing.state === "pending") return { claimed: true };
      return { claimed: false, existing };
    });
  }

  completeIdempotencyKey(
    key: string,
    token: string,
    state: "completed" | "unknown",
    response: { statusCode: number; body: unknown },
  ): Promise<boolean> {
    return this.db.run("completeIdempotencyKey", () => {
      const result = this.db
        .sql("UPDATE idempotency_keys SET state = ?, response = ? WHERE key = ? AND token = ?")
        .run(state, JSON.stringify(response), key, token);
      return Number(result.changes) === 1;
    });
  }

  releaseIdempotencyKey(key: string, token: string): Promise<boolean> {
    return this.db.run("releaseIdempotencyKey", () => {
      const result = this.db
        .sql("DELETE FROM idempotency_keys WHERE key = ? AND token = ? AND state = 'pending'")
        .run(key, token);
      return Number(result.changes) === 1;
    });
  }

  recordRegistrationEvent(e: RegistrationEvent): Promise<void> {
    return this.db.run("recordRegistrationEvent", () => {
      this.db
        .sql(
          `INSERT INTO registration_events (registration_id, status, at) VALUES (?, ?, ?)
           ON CONFLICT (registration_id) DO UPDATE SET status = excluded.status, at = excluded.at
           WHERE registration_events.at <= excluded.at`,
        )
        .run(e.registrationId, e.status, e.at);
    });
  }

  getRegistrationStatus(registrationId: string): Promise<RegistrationEvent | undefined> {
    return this.db.run(
      "getRegistrationStatus",
      () => {
        const row = this.db
          .sql("SELECT * FROM registration_events WHERE registration_id = ?")
          .get(registrationId) as Row | undefined;
        return row
          ? {
              registrationId: String(row.registration_id),
              status: String(row.status),
              at: String(row.at),
            }
          : undefined;
      },
      "read",
    );
  }
}

function toConversation(row: Row): Conversation {
  return {
    conversationId: String(row.conversation_id),
    patientRef: String(row.patient_ref),
    slots: JSON.parse(String(row.slots)) as string[],
    status: String(row.status) as ConversationStatus,
    ...(row.selected_slot === null ? {} : { selectedSlot: Number(row.selected_slot) }),
    ...(row.last_message_id === null ? {} : { lastMessageId: String(row.last_message_id) }),
    createdAt: String(row.created_at),
    updatedAt: String(row.updated_at),
    expiresAt: String(row.expires_at),
    ...(row.creation_token === null || row.creation_token === undefined
      ? {}
      : { creationToken: String(row.creation_token) }),
  };
}

function toOutbound(row: Row): OutboundMessage {
  return {
    messageId: String(row.message_id),
    ...(row.conversation_id === null ? {} : { conversationId: String(row.conversation_id) }),
    patientRef: String(row.patient_ref),
    parts: Number(row.parts),
    encoding: String(row.encoding),
    sentAt: String(row.sent_at),
    delivery: {
      status: String(row.delivery_status),
      final: Number(row.delivery_final) === 1,
      at: String(row.delivery_at),
    },
    expiresAt: String(row.expires_at),
  };
}

function toInbound(row: Row): InboundMessage {
  return {
    inboundMessageId: String(row.inbound_message_id),
    snsMessageId: String(row.sns_message_id),
    ...(row.conversation_id === null ? {} : { conversationId: String(row.conversation_id) }),
    patientRef: String(row.patient_ref),
    kind: String(row.kind) as InboundKind,
    text: String(row.text),
    receivedAt: String(row.received_at),
    expiresAt: String(row.expires_at),
  };
}

function toIdempotency(row: Row): IdempotencyRecord {
  return {
    key: String(row.key),
    token: String(row.token),
    fingerprint: String(row.fingerprint),
    state: String(row.state) as IdempotencyRecord["state"],
    ...(row.response === null
      ? {}
      : { response: JSON.parse(String(row.response)) as IdempotencyRecord["response"] }),
    createdAt: String(row.created_at),
    expiresAt: String(row.expires_at),
  };
}
