import { existsSync } from "node:fs";
import { dirname, join } from "node:path";

/** The repository root (where Pulumi.yaml is), from source or from a compiled copy in dist/. */
export function findRepoRoot(from: string = __dirname): string {
  let dir = from;
  while (!existsSync(join(dir, "Pulumi.yaml"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no Pulumi.yaml above ${from}`);
    dir = parent;
  }
  return dir;
}
