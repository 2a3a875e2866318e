import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { IMAGE_SOURCES, imageSourceFiles } from "../../infra/components/runtimeImage";
import { repoRoot } from "../support/paths";

/**
 * Finding 4 of issue 8: the image's build context (the repository root less `.dockerignore`)
 * must be exactly what the image tag hashes, or a change outside the hash rebuilds an image
 * under an existing tag and the push to the immutable repository fails.
 */

type Rule = { exclude: boolean; path: string };

/** `.dockerignore`, restricted to the two forms it may use: `*` and `!<literal path>`. */
function dockerignoreRules(): Rule[] {
  return readFileSync(join(repoRoot, ".dockerignore"), "utf8")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      if (line === "*") return { exclude: true, path: "*" };
      const path = line.slice(1).replace(/\/$/, "");
      if (!line.startsWith("!") || /[*?[\]\\]/.test(path) || path.startsWith("/")) {
        throw new Error(`.dockerignore line "${line}" is outside the allow-list form`);
      }
      return { exclude: false, path };
    });
}

/**
 * Docker's rule for these forms: the last pattern that matches the path or one of its parent
 * directories decides; `*` matches any top-level name.
 */
function inContext(file: string, rules: Rule[]): boolean {
  const parts = file.split("/");
  const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join("/"));
  let included = true;
  for (const rule of rules) {
    const matches = rule.path === "*" ? true : prefixes.some((prefix) => prefix === rule.path);
    if (matches) included = !rule.exclude;
  }
  return included;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    // Both sit under the leading `*`, which no exception reopens (checked below).
    if (entry === "node_modules" || entry === ".git") return [];
    return statSync(path).isDirectory() ? walk(path) : [relative(repoRoot, path)];
  });
}

describe("the runtime image's build context", () => {
  const rules = dockerignoreRules();

  it("is an allow-list: everything excluded first, then only the image's sources", () => {
    expect(rules[0]).toEqual({ exclude: true, path: "*" });
    expect(rules.slice(1).every((r) => !r.exclude)).toBe(true);
    for (const r of rules.slice(1)) expect(r.path).not.toMatch(/^(node_modules|\.git)(\/|$)/);
    expect(rules.slice(1).map((r) => r.path)).toEqual([...IMAGE_SOURCES]);
  });

  it("holds exactly the files the image tag hashes", () => {
    const context = walk(repoRoot)
      .filter((file) => inContext(file, rules))
      .sort();
    expect(context).toEqual(imageSourceFiles());
    expect(context).toContain("runtime/src/main.ts");
    expect(context).not.toContain("Pulumi.dev.yaml");
  });
});
