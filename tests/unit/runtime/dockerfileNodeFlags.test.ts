import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { imageCommandOptions, imageNodeOptions } from "../../../bench/imageNodeFlags";
import { repoRoot } from "../../support/paths";

/**
 * How runtime/Dockerfile starts Node, run against the real Node: a V8 option in the wrong place
 * stops every task at start, and a compile cache written with other flags is never read.
 */
const dockerfile = readFileSync(join(repoRoot, "runtime", "Dockerfile"), "utf8");

function node(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, args, {
    env: { ...process.env, NODE_OPTIONS: "", ...env },
    encoding: "utf8",
  });
}

describe("runtime/Dockerfile's Node options", () => {
  it("Node accepts the image's NODE_OPTIONS", () => {
    const run = node(["-e", "0"], { NODE_OPTIONS: imageNodeOptions(dockerfile).join(" ") });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
  });

  it("Node refuses --no-maglev in NODE_OPTIONS, so the image gives it on the CMD", () => {
    const refused = node(["-e", "0"], { NODE_OPTIONS: "--no-maglev" });
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain("--no-maglev is not allowed in NODE_OPTIONS");
    expect(imageCommandOptions(dockerfile)).toContain("--no-maglev");
    expect(imageNodeOptions(dockerfile)).not.toContain("--no-maglev");
  });

  it("Node starts with the CMD's options", () => {
    const run = node([...imageCommandOptions(dockerfile), "-e", "0"]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
  });

  it("the service's start reads the compile cache the build wrote (the same V8 flags)", () => {
    const build = /^RUN node (.*?)\s*dist\/runtime\/src\/warmCompileCache\.js$/m.exec(dockerfile);
    expect(build).not.toBeNull();
    const buildOptions = build![1]!.split(/\s+/).filter(Boolean);
    const dir = mkdtempSync(join(tmpdir(), "compile-cache-"));
    try {
      const module = join(dir, "module.js");
      writeFileSync(module, "module.exports = 1;\n");
      const cache = { NODE_COMPILE_CACHE: join(dir, "cache") };
      expect(node([...buildOptions, module], cache).status).toBe(0);
      const start = node([...imageCommandOptions(dockerfile), module], {
        ...cache,
        NODE_DEBUG_NATIVE: "COMPILE_CACHE",
      });
      expect(start.stderr).toMatch(/cache for .*module\.js was accepted/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("imageCommandOptions", () => {
  it("takes the options before the script of an exec-form node CMD", () => {
    expect(imageCommandOptions('CMD ["node", "--a", "--b=1", "main.js", "--c"]\n')).toEqual([
      "--a",
      "--b=1",
    ]);
    expect(imageCommandOptions('CMD ["node", "main.js"]\n')).toEqual([]);
  });

  it("names the problem when the CMD is not node in exec form", () => {
    expect(() => imageCommandOptions("CMD node main.js\n")).toThrow(/no CMD in exec form/);
    expect(() => imageCommandOptions('CMD ["npm", "start"]\n')).toThrow(/CMD runs npm, not node/);
  });
});
