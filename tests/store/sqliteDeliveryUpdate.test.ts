import { SqliteConversationStore } from "../../runtime/src/store/sqliteStore";
import {
  openSqliteDatabase,
  type SqliteDatabase,
  type SqlValue,
} from "../../runtime/src/store/sqliteDriver";

/** The store on an in-memory database that counts the statements run on `outbound_messages`. */
function countingStore(): { store: SqliteConversationStore; outboundStatements: string[] } {
  const outboundStatements: string[] = [];
  const open = (path: string): SqliteDatabase => {
    const db = openSqliteDatabase(path);
    return {
      exec: (sql) => db.exec(sql),
      close: () => db.close(),
      prepare: (sql) => {
        const statement = db.prepare(sql);
        const note = () => {
          if (/outbound_messages/.test(sql)) outboundStatements.push(sql.trim().split(/\s/)[0]!);
        };
        return {
          run: (...params: SqlValue[]) => (note(), statement.run(...params)),
          get: (...params: SqlValue[]) => (note(), statement.get(...params)),
          all: (...params: SqlValue[]) => (note(), statement.all(...params)),
        };
      },
    };
  };
  return { store: new SqliteConversationStore(":memory:", open), outboundStatements };
}

const at = (s: number) => new Date(Date.UTC(2026, 10, 26, 12, 0, s)).toISOString();

describe("SqliteConversationStore.updateDelivery (the delivery event's one write)", () => {
  it("updates a known message with a newer status in one statement, without a read first", async () => {
    const { store, outboundStatements } = countingStore();
    await store.recordOutbound({
      messageId: "m-1",
      patientRef: "p-1",
      parts: 1,
      encoding: "GSM",
      sentAt: at(0),
      delivery: { status: "PENDING", final: false, at: at(0) },
      expiresAt: "2099-01-01T00:00:00.000Z",
    });
    outboundStatements.length = 0;
    await expect(
      store.updateDelivery("m-1", { status: "DELIVERED", final: false, at: at(2) }),
    ).resolves.toBe(true);
    expect(outboundStatements).toEqual(["UPDATE"]);

    // An older status changes nothing but the message is still known; so after a final one.
    await expect(
      store.updateDelivery("m-1", { status: "QUEUED", final: false, at: at(1) }),
    ).resolves.toBe(true);
    await store.updateDelivery("m-1", { status: "FAILED", final: true, at: at(3) });
    await expect(
      store.updateDelivery("m-1", { status: "DELIVERED", final: true, at: at(4) }),
    ).resolves.toBe(true);
    await expect(store.getOutbound("m-1")).resolves.toMatchObject({
      delivery: { status: "FAILED", final: true, at: at(3) },
    });
    await expect(
      store.updateDelivery("unknown", { status: "DELIVERED", final: false, at: at(2) }),
    ).resolves.toBe(false);
    await store.close();
  });
});
