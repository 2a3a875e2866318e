import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "../support/paths";
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
    await expect(store.takeRateBudget("phone-1", 0, 1, 1)).resolves.toBe(1);
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

describe("SqliteConversationStore shared by processes", () => {
  // Processes opening the file together race for the WAL's recovery lock: before the busy
  // timeout was set first, about one open in forty failed with "database is locked". A race, so
  // this fails only sometimes without the fix; it never fails with it.
  it("opens a file that many processes open at the same moment, waiting instead of failing", async () => {
    const module = join(repoRoot, "dist", "runtime", "src", "store", "sqliteStore.js");
    const open = (path: string) =>
      new Promise<number | null>((resolve) => {
        const child = spawn(
          process.execPath,
          [
            "-e",
            `const { SqliteConversationStore } = require(process.argv[1]);
             const store = new SqliteConversationStore(process.argv[2]);
             store.takeRateBudget("phone-1", 0, 1, 1000).then(() => store.close());`,
            module,
            path,
          ],
          { stdio: "ignore" },
        );
        child.once("exit", resolve);
      });
    for (let round = 0; round < 4; round += 1) {
      const path = join(dir, `opened-together-${round}.db`);
      await new SqliteConversationStore(path).close();
      const codes = await Promise.all(Array.from({ length: 8 }, () => open(path)));
      expect(codes).toEqual(Array.from({ length: 8 }, () => 0));
    }
  }, 60_000);
});
