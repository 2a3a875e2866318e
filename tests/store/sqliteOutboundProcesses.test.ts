import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ScheduledSend } from "../../runtime/src/outbound/sendRecord";
import { SqliteConversationStore } from "../../runtime/src/store/sqliteStore";
import { repoRoot } from "../support/paths";

/**
 * Tasks sharing one SQLite file are separate processes, each with its own connection: the rate
 * budget and the claims must hold across them, not only inside one event loop. The children run
 * the built store (dist/, built by globalSetup).
 */
const dir = mkdtempSync(join(tmpdir(), "eum-sms-outbound-procs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CHILD = `
const { SqliteConversationStore } = require(process.env.STORE_MODULE);
const [path, who, sendIds, window, takes, limit] = JSON.parse(process.argv[1]);
const store = new SqliteConversationStore(path);
const now = "2026-11-24T12:00:00.000Z";
Promise.all([
  Promise.all(sendIds.map((id) => store.claimSend(id, who + ":" + id, now, "2026-11-24T12:05:00.000Z"))),
  Promise.all(Array.from({ length: takes }, () => store.takeRateBudget("phone-1", window, 1, limit))),
]).then(async ([claims, budget]) => {
  await store.close();
  process.stdout.write(JSON.stringify({
    claimed: claims.flatMap((c, i) => (c ? [sendIds[i]] : [])),
    totals: budget.filter((total) => total !== undefined),
  }));
});
`;

function runChild(args: unknown[]): Promise<{ claimed: string[]; totals: number[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-e", CHILD, JSON.stringify(args)], {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH ?? "",
        STORE_MODULE: join(repoRoot, "dist", "runtime", "src", "store", "sqliteStore.js"),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    child.on("error", reject);
    // "close", not "exit": a child's last stdout data can arrive after its "exit" event (it did
    // under CI's load, and the output read empty), never after "close".
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`child exited ${code}: ${err}`));
      try {
        resolve(JSON.parse(out) as { claimed: string[]; totals: number[] });
      } catch (cause) {
        reject(new Error(`child printed no result (${JSON.stringify(out)}): ${err}`, { cause }));
      }
    });
  });
}

describe("SqliteConversationStore outbound records across processes", () => {
  it("gives each send to one process and positions 1..limit of one window, each once", async () => {
    const path = join(dir, "shared.db");
    const parent = new SqliteConversationStore(path);
    const sendIds = Array.from({ length: 40 }, (_, i) => `send-${i}`);
    for (const sendId of sendIds) {
      const send: ScheduledSend = {
        sendId,
        patientRef: "p",
        to: "+14255550182",
        body: "x",
        purpose: "message",
        status: "queued",
        requestedAt: "2026-11-24T11:00:00.000Z",
        dueAt: "2026-11-24T11:00:00.000Z",
        createdAt: "2026-11-24T11:00:00.000Z",
        updatedAt: "2026-11-24T11:00:00.000Z",
        attempts: [],
        requestId: "r",
        principal: "a",
        expiresAt: "2099-01-01T00:00:00.000Z",
      };
      await parent.createSend(send);
    }
    await parent.close();

    const window = Date.UTC(2026, 10, 24, 12);
    const results = await Promise.all(
      ["a", "b", "c"].map((who) => runChild([path, who, sendIds, window, 20, 25])),
    );

    const claimed = results.flatMap((r) => r.claimed);
    expect([...claimed].sort()).toEqual([...sendIds].sort());
    // One part each: the totals are the positions 1..25, each handed to one taker in one process.
    const totals = results.flatMap((r) => r.totals).sort((a, b) => a - b);
    expect(totals).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    const reopened = new SqliteConversationStore(path);
    for (const sendId of sendIds) {
      const winner = results.findIndex((r) => r.claimed.includes(sendId));
      await expect(reopened.getSend(sendId)).resolves.toMatchObject({
        status: "sending",
        leaseToken: `${["a", "b", "c"][winner]}:${sendId}`,
      });
    }
    await expect(reopened.takeRateBudget("phone-1", window, 1, 25)).resolves.toBeUndefined();
    await reopened.close();
  }, 60_000);
});
