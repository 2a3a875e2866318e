import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CONTROLS, controlById } from "../../infra/policy/controls";
import { hipaaPolicies, peerRuleNotes } from "../../infra/policy/hipaaPolicies";
import { PEER_RULES } from "../../infra/policy/peerRules";
import { repoRoot } from "../support/paths";

const doc = readFileSync(join(repoRoot, "docs", "hipaa-controls.md"), "utf8");
/** The catalogue's rows as the page shows them: id → the row's cells. */
const docRows = new Map(
  doc
    .split("\n")
    .filter((l) => /^\| [A-Z]\d +\|/.test(l))
    .map((l) => {
      const cells = l.split("|").map((c) => c.trim());
      return [cells[1]!, cells] as const;
    }),
);

describe("the control catalogue", () => {
  it("names every policy's controls", () => {
    const unknown = hipaaPolicies
      .flatMap((p) => [p.info.control, ...(p.info.alsoControls ?? [])].map((c) => [p.name, c]))
      .filter(([, c]) => controlById(c!) === undefined);
    expect(unknown).toEqual([]);
  });

  it("is the same on docs/hipaa-controls.md as in infra/policy/controls.ts, with each citation", () => {
    expect([...docRows.keys()]).toEqual(CONTROLS.map((c) => c.id));
    for (const c of CONTROLS) {
      const cfrCell = docRows.get(c.id)![4]!;
      expect(cfrCell).toBe(c.cfr.map((x) => `§ ${x}`).join(", "));
      expect(c.cfr.length).toBeGreaterThan(0);
      for (const cite of c.cfr) expect(cite).toMatch(/^164\.3\d\d\([a-e]\)/);
    }
  });

  it("has every control enforced by a policy or by a named test that exists", () => {
    for (const c of CONTROLS) {
      const policies = hipaaPolicies.filter((p) =>
        [p.info.control, ...(p.info.alsoControls ?? [])].includes(c.id),
      );
      expect({ control: c.id, enforced: policies.length + c.runtimeTests.length > 0 }).toEqual({
        control: c.id,
        enforced: true,
      });
      for (const t of c.runtimeTests) {
        const file = join(repoRoot, t.file);
        expect(existsSync(file)).toBe(true);
        expect(readFileSync(file, "utf8")).toContain(JSON.stringify(t.test));
      }
    }
  });

  it("labels F5, U2 and W2, which are enforced but had no label", () => {
    expect(
      hipaaPolicies.find((p) => p.name === "ecs-service-private-with-rollback")?.info.alsoControls,
    ).toEqual(["F5"]);
    expect(controlById("U2")!.runtimeTests.map((t) => t.file)).toEqual([
      "tests/http/phiLogging.test.ts",
    ]);
    expect(controlById("W2")!.runtimeTests.map((t) => t.file)).toEqual([
      "tests/infra/stackControls.ts",
    ]);
  });

  it("says something once about each peer rule: a policy's source or a note, never both", () => {
    const sources = new Set(hipaaPolicies.flatMap((p) => p.info.sources));
    const noted = peerRuleNotes.map((n) => n.rule);
    expect(noted.filter((r) => sources.has(r))).toEqual([]);
    expect(noted.filter((r, i) => noted.indexOf(r) !== i)).toEqual([]);
    const known = new Set(PEER_RULES.map((r) => r.id));
    expect(noted.filter((r) => !known.has(r))).toEqual([]);
    for (const n of peerRuleNotes) expect(n.reason.length).toBeGreaterThan(20);
  });

  it("is what the repository cites: no file refers to the shared reference folder", () => {
    // Spelled in parts so that this file does not match itself.
    const shared = ["..", "shared"].join("/");
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(join(repoRoot, dir), { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (
          /\.(ts|md)$/.test(entry.name) &&
          readFileSync(join(repoRoot, path), "utf8").includes(shared)
        )
          offenders.push(path);
      }
    };
    for (const dir of ["infra/policy", "infra/review", "tests/policy", "docs"]) walk(dir);
    if (readFileSync(join(repoRoot, "infra/secureDefaults.ts"), "utf8").includes(shared))
      offenders.push("infra/secureDefaults.ts");
    expect(offenders).toEqual([]);
  });

  it("has remediations that name components, methods and config keys that exist", () => {
    const componentsDir = join(repoRoot, "infra", "components");
    const components = new Map(
      readdirSync(componentsDir).flatMap((f) => {
        const text = readFileSync(join(componentsDir, f), "utf8");
        return [...text.matchAll(/export class (\w+)/g)].map((m) => [m[1]!, text] as const);
      }),
    );
    const configText = readFileSync(join(repoRoot, "infra", "stackConfig.ts"), "utf8");
    const stale: string[] = [];
    for (const p of hipaaPolicies) {
      const text = p.info.remediation;
      for (const m of text.matchAll(/\(([A-Z]\w+)(?:\.(\w+))?\)|\b([A-Z]\w+) component/g)) {
        const name = m[1] ?? m[3]!;
        const source = components.get(name);
        if (!source) stale.push(`${p.name}: no component ${name}`);
        else if (m[2] && !source.includes(`${m[2]}(`))
          stale.push(`${p.name}: ${name} has no ${m[2]}`);
      }
      for (const m of text.matchAll(/\bconfig (\w+)|\bset (\w+)(?: to|:)/g)) {
        const key = m[1] ?? m[2]!;
        if (/^[a-z]/.test(key) && !configText.includes(`"${key}"`) && m[1])
          stale.push(`${p.name}: no config key ${key}`);
      }
    }
    expect(stale).toEqual([]);
  });
});
