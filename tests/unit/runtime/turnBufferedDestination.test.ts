import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createAuditLog } from "../../../runtime/src/logging/audit";
import { createLogger } from "../../../runtime/src/logging/logger";
import { turnBufferedDestination } from "../../../runtime/src/logging/turnBufferedDestination";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "turn-log-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const nextTurn = () => new Promise((r) => setImmediate(r));

describe("the turn-buffered log destination", () => {
  it("writes a turn's info lines together at the end of the turn, in order", async () => {
    const file = join(dir, "out.log");
    const destination = turnBufferedDestination(file);
    const logger = createLogger({ level: "info", destination });
    logger.info({ n: 1 }, "first");
    logger.info({ n: 2 }, "second");
    expect(readFileSync(file, "utf8")).toBe("");
    await nextTurn();
    const lines = readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.msg)).toEqual(["first", "second"]);
    destination.end();
  });

  it("writes a warning at once, with the lines before it", () => {
    const file = join(dir, "out.log");
    const destination = turnBufferedDestination(file);
    const logger = createLogger({ level: "info", destination });
    logger.info("before");
    logger.warn("trouble");
    const lines = readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.msg)).toEqual(["before", "trouble"]);
    destination.end();
  });

  it("writes what is pending when it ends", () => {
    const file = join(dir, "out.log");
    const destination = turnBufferedDestination(file);
    createLogger({ level: "info", destination }).info("last words");
    destination.end();
    expect(readFileSync(file, "utf8")).toContain("last words");
  });

  it("lets the audit log write its events out before a response leaves", () => {
    const file = join(dir, "audit.log");
    const destination = turnBufferedDestination(file);
    const audit = createAuditLog(destination);
    audit.record({
      actor: "aws:sns",
      action: "sms.inbound.recorded",
      record: "r",
      outcome: "success",
    });
    expect(readFileSync(file, "utf8")).toBe("");
    audit.flushSync!();
    expect(JSON.parse(readFileSync(file, "utf8"))).toMatchObject({
      logType: "audit",
      action: "sms.inbound.recorded",
    });
    destination.end();
  });
});
