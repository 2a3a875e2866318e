import type { ConsentRecord, ScheduledSend } from "../outbound/sendRecord";
import type { OutboundStore } from "./outboundStore";
import {
  abandonedCall,
  cancel,
  checkFinishUpdate,
  claim,
  finish,
  markCallStarted,
  recordDelivery,
  type FinishUpdate,
} from "./sendTransitions";
import type { SqlValue } from "./sqliteDriver";
import type { GroupCommitDatabase } from "./sqliteGroupCommit";

type Row = Record<string, SqlValue>;

/** Rate windows older than this are deleted as new ones are taken. */
const RATE_WINDOW_KEPT_MS = 60_000;

/**
 * The outbound queue's records in the embedded store (tables in `sqliteSchema.ts`). A send is
 * one JSON record changed by the pure transitions of `sendTransitions.ts`: each read-change-write
 * runs inside the group commit's transaction, which holds SQLite's write lock (BEGIN IMMEDIATE),
 * so processes sharing the file see every change whole.
 */
export class SqliteOutboundStore implements OutboundStore {
  constructor(private readonly db: GroupCommitDatabase) {}

  private readSend(sendId: string): ScheduledSend | undefined {
    const row = this.db.sql("SELECT record FROM sends WHERE send_id = ?").get(sendId) as
      Row | undefined;
    return row ? (JSON.parse(String(row.record)) as ScheduledSend) : undefined;
  }

  private writeSend(send: ScheduledSend): void {
    this.db
      .sql("UPDATE sends SET record = ? WHERE send_id = ?")
      .run(JSON.stringify(send), send.sendId);
  }

  createSend(send: ScheduledSend): Promise<boolean> {
    return this.db.run("createSend", () => {
      const result = this.db
        .sql("INSERT OR IGNORE INTO sends (send_id, record, expires_at) VALUES (?, ?, ?)")
        .run(send.sendId, JSON.stringify(send), send.expiresAt);
      return Number(result.changes) === 1;
    });
  }

  getSend(sendId: string): Promise<ScheduledSend | undefined> {
    return this.db.run("getSend", () => this.readSend(sendId), "read");
  }

  claimSend(
    sendId: string,
    leaseToken: string,
    now: string,
    leaseUntil: string,
  ): Promise<ScheduledSend | undefined> {
    return this.db.run("claimSend", () => {
      const send = this.readSend(sendId);
      if (!send) return undefined;
      const claimed = claim(send, leaseToken, now, leaseUntil);
      if (claimed) {
        this.writeSend(claimed);
        return claimed;
      }
      const abandoned = abandonedCall(send, now);
      if (abandoned) this.writeSend(abandoned);
      return undefined;
    });
  }

  markCallStarted(sendId: string, leaseToken: string, at: string): Promise<boolean> {
    return this.db.run("markCallStarted", () => {
      const send = this.readSend(sendId);
      const marked = send && markCallStarted(send, leaseToken, at);
      if (!marked) return false;
      this.writeSend(marked);
      return true;
    });
  }

  finishSend(
    sendId: string,
    leaseToken: string,
    update: FinishUpdate,
  ): Promise<ScheduledSend | undefined> {
    try {
      checkFinishUpdate(update);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.db.run("finishSend", () => {
      const send = this.readSend(sendId);
      const finished = send && finish(send, leaseToken, update);
      if (!finished) return undefined;
      this.writeSend(finished);
      if (update.providerMessageId !== undefined) {
        this.db
          .sql(
            `INSERT OR REPLACE INTO send_provider_messages (provider_message_id, send_id, expires_at)
             VALUES (?, ?, ?)`,
          )
          .run(update.providerMessageId, sendId, finished.expiresAt);
      }
      return finished;
    });
  }

  cancelSend(
    sendId: string,
    at: string,
  ): Promise<"cancelled" | "not_found" | { notCancellable: ScheduledSend["status"] }> {
    return this.db.run("cancelSend", () => {
      const send = this.readSend(sendId);
      if (!send) return "not_found" as const;
      const cancelled = cancel(send, at);
      if (!cancelled) return { notCancellable: send.status };
      this.writeSend(cancelled);
      return "cancelled" as const;
    });
  }

  recordAttemptDelivery(
    sendId: string,
    providerMessageId: string,
    deliveryStatus: string,
    at: string,
    retry?: { dueAt: string },
  ): Promise<"recorded" | "retry_queued" | "not_found"> {
    return this.db.run("recordAttemptDelivery", () => {
      const change = recordDelivery(
        this.readSend(sendId),
        providerMessageId,
        deliveryStatus,
        at,
        retry,
      );
      if (change.kind === "not_found") return "not_found" as const;
      this.writeSend(change.send);
      return change.kind === "retry_queued" ? ("retry_queued" as const) : ("recorded" as const);
    });
  }

  sendIdForProviderMessage(providerMessageId: string): Promise<string | undefined> {
    return this.db.run(
      "sendIdForProviderMessage",
      () => {
        const row = this.db
          .sql("SELECT send_id FROM send_provider_messages WHERE provider_message_id = ?")
          .get(providerMessageId) as Row | undefined;
        return row ? String(row.send_id) : undefined;
      },
      "read",
    );
  }

  putConsent(consent: ConsentRecord): Promise<boolean> {
    return this.db.run("putConsent", () => {
      // Equal `at` applies again: a repeated change is the same change.
      const result = this.db
        .sql(
          `INSERT INTO consents (patient_ref, scope, record, at) VALUES (?, ?, ?, ?)
           ON CONFLICT (patient_ref, scope) DO UPDATE SET record = excluded.record, at = excluded.at
           WHERE consents.at <= excluded.at`,
        )
        .run(consent.patientRef, consent.scope, JSON.stringify(consent), consent.at);
      return Number(result.changes) === 1;
    });
  }

  getConsent(patientRef: string, scope: string): Promise<ConsentRecord | undefined> {
    return this.db.run(
      "getConsent",
      () => {
        const row = this.db
          .sql("SELECT record FROM consents WHERE patient_ref = ? AND scope = ?")
          .get(patientRef, scope) as Row | undefined;
        return row ? (JSON.parse(String(row.record)) as ConsentRecord) : undefined;
      },
      "read",
    );
  }

  listConsents(patientRef: string): Promise<ConsentRecord[]> {
    return this.db.run(
      "listConsents",
      () =>
        (
          this.db
            .sql("SELECT record FROM consents WHERE patient_ref = ? ORDER BY scope")
            .all(patientRef) as Row[]
        ).map((row) => JSON.parse(String(row.record)) as ConsentRecord),
      "read",
    );
  }

  recordSendForCap(
    patientRef: string,
    sendId: string,
    at: string,
    expiresAt: string,
  ): Promise<void> {
    return this.db.run("recordSendForCap", () => {
      this.db
        .sql(
          `INSERT OR REPLACE INTO cap_sends (patient_ref, sent_at, send_id, expires_at)
           VALUES (?, ?, ?, ?)`,
        )
        .run(patientRef, at, sendId, expiresAt);
      // Expired entries leave as new ones arrive: the patient's own rows, through the key.
      this.db
        .sql("DELETE FROM cap_sends WHERE patient_ref = ? AND expires_at <= ?")
        .run(patientRef, at);
    });
  }

  sendTimesSince(patientRef: string, since: string): Promise<string[]> {
    return this.db.run(
      "sendTimesSince",
      () =>
        (
          this.db
            .sql(
              "SELECT sent_at FROM cap_sends WHERE patient_ref = ? AND sent_at >= ? ORDER BY sent_at",
            )
            .all(patientRef, since) as Row[]
        ).map((row) => String(row.sent_at)),
      "read",
    );
  }

  takeRateBudget(
    identity: string,
    windowStartMs: number,
    parts: number,
    limit: number,
    fromPosition = 0,
  ): Promise<number | undefined> {
    if (fromPosition + parts > limit) return Promise.resolve(undefined);
    return this.db.run("takeRateBudget", () => {
      // One statement under the write lock: raise to `fromPosition`, add, and read the total.
      const row = this.db
        .sql(
          `INSERT INTO rate_windows (identity, window_start_ms, parts) VALUES (?, ?, ?)
           ON CONFLICT (identity, window_start_ms)
             DO UPDATE SET parts = max(rate_windows.parts, ?) + ?
             WHERE max(rate_windows.parts, ?) + ? <= ?
           RETURNING parts`,
        )
        .get(
          identity,
          windowStartMs,
          fromPosition + parts,
          fromPosition,
          parts,
          fromPosition,
          parts,
          limit,
        ) as Row | undefined;
      if (row === undefined) return undefined;
      this.db
        .sql("DELETE FROM rate_windows WHERE identity = ? AND window_start_ms < ?")
        .run(identity, windowStartMs - RATE_WINDOW_KEPT_MS);
      return Number(row.parts);
    });
  }
}
