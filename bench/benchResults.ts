import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

// dist/bench/bench/benchResults.js -> the repository's bench/results.json.
const RESULTS = join(__dirname, "..", "..", "..", "bench", "results.json");

/**
 * Read, merge, write: each benchmark replaces only its own keys of bench/results.json, so the
 * figures of the others (run at other times) stay as they were.
 */
export function mergeIntoResults(fields: Record<string, unknown>): void {
  const previous = existsSync(RESULTS)
    ? (JSON.parse(readFileSync(RESULTS, "utf8")) as Record<string, unknown>)
    : {};
  writeFileSync(RESULTS, `${JSON.stringify({ ...previous, ...fields }, null, 2)}\n`);
}
