import { existsSync } from "node:fs";
import { resolve } from "node:path";

export const repoRoot = resolve(__dirname, "..", "..");

/** `../shared` beside the repository (as CI lays it out), or `SHARED_DIR`. */
export function sharedDir(): string {
  const dir = process.env.SHARED_DIR ?? resolve(repoRoot, "..", "shared");
  if (!existsSync(dir)) {
    throw new Error(
      `shared test data not found at ${dir}: clone it beside the repo or set SHARED_DIR`,
    );
  }
  return dir;
}
