/**
 * Baseline for `POST /sms/webhook` with an SNS inbound SMS: the essential work and nothing else,
 * on bare `node:http`. Parse the envelope, check the topic and the signing-certificate URL, verify
 * the RSA signature with a key parsed once, parse the inbound SMS, and insert it once
 * (idempotent on the SNS MessageId) in its own autocommit transaction. `synchronous` is the
 * SQLite durability: NORMAL (WAL: survives a process crash) or FULL (fsync per commit: survives
 * a power cut, what the service promises).
 */
import { createPublicKey, verify } from "node:crypto";
import { createServer, type Server } from "node:http";
import { openSqliteDatabase } from "../../runtime/src/store/sqliteDriver";

export interface SnsBaselineOptions {
  dbPath: string;
  synchronous: "NORMAL" | "FULL";
  certPem: string;
  topicArn: string;
}

const CERT_URL =
  /^https:\/\/sns\.([a-z]{2}-[a-z]+-\d)\.amazonaws\.com\/[A-Za-z0-9._-]{1,200}\.pem$/;
const SIGNED_KEYS = ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"];

export function snsInboundBaseline(options: SnsBaselineOptions): Server {
  const key = createPublicKey(options.certPem);
  const db = openSqliteDatabase(options.dbPath);
  db.exec("PRAGMA journal_mode = WAL");
  db.exec(`PRAGMA synchronous = ${options.synchronous}`);
  db.exec(`CREATE TABLE IF NOT EXISTS inbound (
    sns_message_id TEXT PRIMARY KEY, origination TEXT NOT NULL, body TEXT NOT NULL,
    received_at TEXT NOT NULL)`);
  const insert = db.prepare("INSERT OR IGNORE INTO inbound VALUES (?, ?, ?, ?)");

  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const answer = (status: number) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(status === 200 ? '{"status":"stored"}' : '{"error":"rejected"}');
      };
      try {
        const m = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, string>;
        const url = CERT_URL.exec(m.SigningCertURL ?? "");
        if (m.TopicArn !== options.topicArn || !url || url[1] !== m.TopicArn.split(":")[3]) {
          return answer(403);
        }
        let toSign = "";
        for (const k of SIGNED_KEYS) if (typeof m[k] === "string") toSign += `${k}\n${m[k]}\n`;
        if (!verify("sha256", Buffer.from(toSign), key, Buffer.from(m.Signature ?? "", "base64"))) {
          return answer(403);
        }
        const sms = JSON.parse(m.Message ?? "") as Record<string, string>;
        insert.run(
          m.MessageId ?? "",
          sms.originationNumber ?? "",
          sms.messageBody ?? "",
          m.Timestamp ?? "",
        );
        answer(200);
      } catch {
        answer(500);
      }
    });
  });
}
