import { readFileSync } from "node:fs";
import { join } from "node:path";
import { AppError, ERROR_CODES, isErrorCode, type ErrorCode } from "../../../runtime/src/errors";
import { toHttpError } from "../../../runtime/src/httpErrors";
import { StoreUnavailableError } from "../../../runtime/src/errors";

/** README's error table: each row's codes with the statuses its status column names. */
function readmeErrorTable(): Map<string, number[]> {
  const readme = readFileSync(join(__dirname, "../../../README.md"), "utf8");
  const lines = readme.split("\n");
  const header = lines.findIndex((l) => /^\|\s*code\s*\|\s*status\s*\|\s*meaning\s*\|/.test(l));
  expect(header).toBeGreaterThan(-1);
  const table = new Map<string, number[]>();
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith("|")) break;
    const [codes = "", status = ""] = line.split("|").slice(1, 3);
    const statuses = [...status.matchAll(/\b\d{3}\b/g)].map((m) => Number(m[0]));
    for (const [, code] of codes.matchAll(/`([A-Z0-9_]+)`/g)) {
      expect(table.has(code!)).toBe(false);
      table.set(code!, statuses);
    }
  }
  return table;
}

describe("the error code registry", () => {
  it("is the code table README shows: the same codes, each with its statuses", () => {
    const table = readmeErrorTable();
    expect([...table.keys()].sort()).toEqual(Object.keys(ERROR_CODES).sort());
    for (const [code, statuses] of table) {
      const spec: { status: number; repeatStatus?: number } = ERROR_CODES[code as ErrorCode];
      const registered = [spec.status, ...(spec.repeatStatus ? [spec.repeatStatus] : [])];
      expect({ code, statuses }).toEqual({ code, statuses: registered });
    }
  });

  it("gives every 503 a Retry-After, so AWS and agents know when to come back", () => {
    for (const [code, spec] of Object.entries(ERROR_CODES)) {
      if (spec.status === 503)
        expect({ code, retry: "retryAfterSeconds" in spec }).toEqual({ code, retry: true });
    }
  });

  it("derives an error's status and headers from its code", () => {
    const err = new AppError("SMS_THROTTLED", "retry later");
    expect(err).toMatchObject({ statusCode: 503, headers: { "retry-after": "5" } });
    expect(new AppError("SMS_QUOTA_EXCEEDED", "quota", { retryAfterSeconds: 7 }).headers).toEqual({
      "retry-after": "7",
    });
    expect(new AppError("SEND_OUTCOME_UNKNOWN", "unknown").statusCode).toBe(502);
    expect(new AppError("SEND_OUTCOME_UNKNOWN", "unknown", { repeat: true }).statusCode).toBe(409);
    expect(isErrorCode("SMS_THROTTLED")).toBe(true);
    expect(isErrorCode("toString")).toBe(false);
    // Gone with the per-task token bucket: a send waits for the shared rate or is queued.
    expect(isErrorCode("SEND_QUEUE_FULL")).toBe(false);
  });

  it("maps layer errors and unknown failures at the edge, never with their own message", () => {
    expect(toHttpError(new StoreUnavailableError("getConversation"))).toEqual({
      statusCode: 503,
      code: "STORE_UNAVAILABLE",
      message: "the conversation store is unavailable; retry",
      headers: { "retry-after": "5" },
    });
    expect(toHttpError(new Error("+14255550100 broke"))).toEqual({
      statusCode: 500,
      code: "INTERNAL",
      message: "internal error",
      headers: {},
    });
  });
});
