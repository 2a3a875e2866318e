/**
 * How the runtime image starts Node (`runtime/Dockerfile`), read from the Dockerfile so that the
 * bench runs the service as its task does and the two cannot drift.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** The repository's runtime/Dockerfile, above bench/ (under jest) or dist/bench/bench/ (built). */
function dockerfilePath(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const candidate = join(dir, "runtime", "Dockerfile");
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`no runtime/Dockerfile above ${__dirname}`);
}

const readDockerfile = () => readFileSync(dockerfilePath(), "utf8");

/** The NODE_OPTIONS of the image's ENV. */
export function imageNodeOptions(dockerfile = readDockerfile()): string[] {
  const m = /NODE_OPTIONS=(?:"([^"]*)"|(\S+))/.exec(dockerfile);
  if (!m) throw new Error("runtime/Dockerfile: no NODE_OPTIONS= in its ENV");
  return (m[1] ?? m[2]!).split(/\s+/).filter(Boolean);
}

/**
 * The options the image's `CMD ["node", ...]` passes before the script: V8 options that Node
 * refuses in NODE_OPTIONS (`--no-maglev`) can only be given there.
 */
export function imageCommandOptions(dockerfile = readDockerfile()): string[] {
  const cmd = [...dockerfile.matchAll(/^CMD\s+(\[.*\])\s*$/gm)].at(-1);
  if (!cmd) throw new Error("runtime/Dockerfile: no CMD in exec form");
  const [program, ...args] = JSON.parse(cmd[1]!) as string[];
  if (program !== "node") throw new Error(`runtime/Dockerfile: CMD runs ${program}, not node`);
  const script = args.findIndex((a) => !a.startsWith("-"));
  return script === -1 ? args : args.slice(0, script);
}

/**
 * Every option the service's Node starts with in the image: an option that trades memory for CPU
 * shows in every row that measures the service.
 */
export function imageNodeFlags(dockerfile = readDockerfile()): string[] {
  return [...imageNodeOptions(dockerfile), ...imageCommandOptions(dockerfile)];
}

/**
 * The Node major the image runs (the Dockerfile's last `FROM node:<major>`). Its V8 sizes the heap
 * differently from another major's (Node 24's young generation grows to twice Node 22's), so
 * figures measured on another Node describe another service.
 */
export function imageNodeMajor(dockerfile = readDockerfile()): number {
  const froms = [...dockerfile.matchAll(/^FROM\s+node:(\d+)/gm)];
  const last = froms.at(-1);
  if (!last) throw new Error("runtime/Dockerfile: no FROM node:<major>");
  return Number(last[1]);
}

/** A line to print when this bench runs on another Node major than the image's, else null. */
export function notImageNodeWarning(): string | null {
  const image = imageNodeMajor();
  const running = Number(process.versions.node.split(".")[0]);
  return running === image
    ? null
    : `WARNING: the bench runs on Node ${process.version}, the image on Node ${image}: ` +
        `its memory and CPU figures are not the image's (run it with Node ${image})`;
}
