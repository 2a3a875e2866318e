import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { decideSend } from "../../../runtime/src/outbound/rules/decideSend";
import { RULES, ruleById } from "../../../runtime/src/outbound/rules/ruleCatalogue";
import { STATE_QUIET_HOURS } from "../../../runtime/src/outbound/rules/stateQuietHours";
import { repoRoot } from "../../support/paths";

const RULE_ID_LITERAL =
  /"((?:quiet-hours|consent|opt-out|frequency-cap|registration|send-at)\.[a-z0-9.-]+)"/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

describe("the send rule catalogue", () => {
  it("has one entry per id, each with a summary and a citation", () => {
    const ids = RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of RULES) {
      expect(r.summary.length).toBeGreaterThan(20);
      expect(r.citation.length).toBeGreaterThan(10);
    }
  });

  it("names every rule id of the RuleId type", () => {
    const type = /export type RuleId =([^;]+);/.exec(
      readFileSync(join(repoRoot, "runtime/src/outbound/sendRecord.ts"), "utf8"),
    )![1]!;
    const fixed = [...type.matchAll(/\| "([^"]+)"/g)].map((m) => m[1]!);
    expect(fixed.length).toBeGreaterThan(5);
    expect(fixed.filter((id) => !ruleById(id))).toEqual([]);
  });

  it("names every rule id the runtime's code writes", () => {
    const used = sourceFiles(join(repoRoot, "runtime/src")).flatMap((f) =>
      [...readFileSync(f, "utf8").matchAll(RULE_ID_LITERAL)].map((m) => m[1]!),
    );
    expect(used.length).toBeGreaterThan(5);
    expect([...new Set(used)].filter((id) => !ruleById(id))).toEqual([]);
  });

  it("has a rule citing its statute for every state window", () => {
    for (const s of STATE_QUIET_HOURS) {
      const rule = ruleById(`quiet-hours.state.${s.state}`);
      expect(rule?.citation).toBe(s.citation);
      expect(s.citation).toMatch(/§|RCW/);
    }
  });

  it("names every rule id a verdict carries, for numbers in every state with a window", () => {
    const policy = {
      requireConsent: true,
      quietHours: { allowedStart: "08:00", allowedEnd: "21:00" },
      frequencyCap: { maxSends: 1, windowSeconds: 3600 },
      registrationRecheckSeconds: 60,
    };
    const now = new Date("2026-06-15T03:00:00Z");
    const numbers = [
      "+13055550123",
      "+12145550123",
      "+12065550123",
      "+14055550123",
      "+13015550123",
    ];
    const seen = new Set<string>();
    for (const to of numbers) {
      for (const over of [
        {},
        { optedOut: true, recentSendTimes: [now] },
        { timeZone: "America/Denver", registration: { ready: false as const, reason: "x" } },
        { sendAt: new Date("2026-06-16T03:00:00Z") },
      ]) {
        const v = decideSend(
          {
            now,
            to,
            purpose: "message",
            optedOut: false,
            recentSendTimes: [],
            registration: { ready: true },
            consent: {
              patientRef: "p",
              scope: "s",
              granted: true,
              source: "agent",
              capturedAt: now.toISOString(),
              at: now.toISOString(),
            },
            ...over,
          },
          policy,
        );
        for (const id of v.ruleIds) seen.add(id);
      }
    }
    expect([...seen].filter((id) => !ruleById(id))).toEqual([]);
    expect([...seen].filter((id) => id.startsWith("quiet-hours.state.")).sort()).toEqual(
      STATE_QUIET_HOURS.map((s) => `quiet-hours.state.${s.state}`).sort(),
    );
  });
});
