import * as nodeModule from "node:module";

// Imported first by main.ts, so that every module loaded after it (the app, Fastify, the MCP SDK,
// the AWS SDK clients) is compiled from V8's code cache once a previous start has written it:
// compiling is the largest single part of a start. The directory is NODE_COMPILE_CACHE when set
// (the image sets it to a cache written at build time), else Node's default under the temporary
// directory. A cache that cannot be read or written is skipped; the start is only slower.
// (`enableCompileCache` is Node 22.1+; the @types/node in use predates it.)
const { enableCompileCache } = nodeModule as typeof nodeModule & {
  enableCompileCache?: (directory?: string) => { status: number; message?: string };
};
enableCompileCache?.();
