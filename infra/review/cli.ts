import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { findRepoRoot } from "../repoRoot";
import { StackConfigError } from "../stackConfig";
import { reviewStack } from "./reviewStack";

/** `npm run review -- --stack <name>`: writes review/<name>.md and review/<name>.evidence.json; exits 1 on a config error or a mandatory violation. */
async function main(argv: string[]): Promise<number> {
  const at = argv.indexOf("--stack");
  const stack = at >= 0 ? argv[at + 1] : undefined;
  if (!stack || !/^[\w.-]+$/.test(stack)) {
    console.error("usage: npm run review -- --stack <name>   (reads Pulumi.<name>.yaml)");
    return 2;
  }
  let result;
  try {
    result = await reviewStack(stack);
  } catch (err) {
    if (err instanceof StackConfigError) {
      console.error(`review of ${stack} failed: ${err.message}`);
      return 1;
    }
    if ((err as NodeJS.ErrnoException).code === "ENOENT") {
      console.error(`review of ${stack} failed: Pulumi.${stack}.yaml not found`);
      return 1;
    }
    throw err;
  }
  const dir = join(findRepoRoot(), "review");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${stack}.md`);
  writeFileSync(file, result.markdown);
  const evidenceFile = join(dir, `${stack}.evidence.json`);
  writeFileSync(evidenceFile, `${JSON.stringify(result.report.evidence, null, 2)}\n`);
  console.error(
    `wrote ${file} and ${evidenceFile}: ${result.report.results.length} policies, ${result.resources.length} resources, ${result.report.evidence.rules.length} peer rules`,
  );
  if (result.mandatory.length > 0) {
    console.error(`review of ${stack} failed: mandatory policy violations:`);
    for (const p of result.mandatory)
      for (const v of p.violations)
        console.error(
          `  - ${p.policy} (${p.info.control})${v.resource ? ` on ${v.resource}` : ""}: ${v.message}`,
        );
    return 1;
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
