/**
 * Baseline for `POST /sms/webhook` with an EventBridge delivery-status event, on bare
 * `node:http`: compare the API key in constant time, parse the event, update the message's
 * delivery status once (newer event wins) in its own autocommit transaction.
 */
import { timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import { openSqliteDatabase } from "../../runtime/src/store/sqliteDriver";

export interface DeliveryBaselineOptions {
  dbPath: string;
  synchronous: "NORMAL" | "FULL";
  apiKey: string;
  apiKeyHeader: string;
  /** Message ids already sent, so the update finds its row as the service's does. */
  messageIds: readonly string[];
}

export function eventBridgeDeliveryBaseline(options: DeliveryBaselineOptions): Server {
  const expected = Buffer.from(options.apiKey);
  const db = openSqliteDatabase(options.dbPath);
  db.exec("PRAGMA journal_mode = WAL");
  db.exec(`PRAGMA synchronous = ${options.synchronous}`);
  db.exec(`CREATE TABLE IF NOT EXISTS outbound (
    message_id TEXT PRIMARY KEY, status TEXT NOT NULL, final INTEGER NOT NULL, at TEXT NOT NULL)`);
  const seed = db.prepare("INSERT OR IGNORE INTO outbound VALUES (?, 'PENDING', 0, '')");
  db.exec("BEGIN");
  for (const id of options.messageIds) seed.run(id);
  db.exec("COMMIT");
  const update = db.prepare(
    "UPDATE outbound SET status = ?, final = ?, at = ? WHERE message_id = ? AND final = 0 AND at <= ?",
  );

  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const answer = (status: number) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(status === 200 ? '{"status":"recorded"}' : '{"error":"rejected"}');
      };
      try {
        const presented = Buffer.from(String(req.headers[options.apiKeyHeader] ?? ""));
        if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
          return answer(401);
        }
        const event = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
          detail: {
            messageId: string;
            messageStatus: string;
            isFinal: boolean;
            eventTimestamp: number;
          };
        };
        const d = event.detail;
        const at = new Date(d.eventTimestamp).toISOString();
        update.run(d.messageStatus, d.isFinal ? 1 : 0, at, d.messageId, at);
        answer(200);
      } catch {
        answer(500);
      }
    });
  });
}
