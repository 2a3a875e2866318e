import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StoreUnavailableError } from "../../runtime/src/errors";
import { SqliteConversationStore } from "../../runtime/src/store/sqliteStore";
import { openSqliteDatabase } from "../../runtime/src/store/sqliteDriver";
import { conversationStoreConformance } from "./conversationStoreConformance";
import { outboundStoreConformance } from "./outboundStoreConformance";

const dir = mkdtempSync(join(tmpdir(), "eum-sms-sqlite-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

conversationStoreConformance(
  "SqliteConversationStore",
  async () => new SqliteConversationStore(join(dir, `store-${(n += 1)}.db`)),
);

outboundStoreConformance(
  "SqliteConversationStore",
  async () => new SqliteConversationStore(join(dir, `store-${(n += 1)}.db`)),
);

describe("SqliteConversationStore files", () => {
  it("adds the outbound queue's tables to a database created before them", async () => {
    const path = join(dir, "before-outbound.db");
    const old = openSqliteDatabase(path);
    old.exec(
      "CREATE TABLE opt_outs (patient_ref TEXT PRIMARY KEY, opted_out INTEGER NOT NULL, updated_at TEXT NOT NULL)",
    );
    old.exec("INSERT INTO opt_outs VALUES ('p', 1, '2026-11-24T12:00:00.000Z')");
    old.close();
    const store = new SqliteConversationStore(path);
    await expect(store.isOptedOut("p")).resolves.toBe(true);
    await expect(store.takeRateBudget("phone-1", 0, 1, 1)).resolves.toBe(true);
    await expect(
      store.putConsent({
        patientRef: "p",
        scope: "reminders",
        granted: true,
        source: "agent",
        capturedAt: "2026-11-24T12:00:00.000Z",
        at: "2026-11-24T12:00:00.000Z",
      }),
    ).resolves.toBe(true);
    await store.close();
  });

  it("creates the data directory, survives reopening and uses WAL", async () => {
    const path = join(dir, "nested", "deeper", "sms.db");
    const first = new SqliteConversationStore(path);
    await first.setOptOut("p", true, new Date().toISOString());
    await first.close();
    const second = new SqliteConversationStore(path);
    await expect(second.isOptedOut("p")).resolves.toBe(true);
    await second.close();
  });

  it("reports an unwritable database as StoreUnavailableError", async () => {
    if (process.getuid?.() === 0) {
      // root ignores file modes; make the write fail by closing the database instead
      const store = new SqliteConversationStore(join(dir, "closed.db"));
      await store.close();
      await expect(store.setOptOut("p", true, "t")).rejects.toBeInstanceOf(StoreUnavailableError);
      return;
    }
    const path = join(dir, "readonly.db");
    const store = new SqliteConversationStore(path);
    chmodSync(path, 0o444);
    await expect(store.setOptOut("p", true, "t")).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});
