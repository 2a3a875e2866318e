import { resolve } from "node:path";

export const repoRoot = resolve(__dirname, "..", "..");

/** Test data kept in the repository, so a clone by itself runs every test. */
export const fixturesDir = resolve(repoRoot, "tests", "fixtures");
