import { Writable } from "node:stream";
import type { Logger } from "pino";
import { createLogger } from "../../runtime/src/logging/logger";

/**
 * The service's own logger (key guard, serializers) writing into an array, so what a test reads
 * is what CloudWatch would receive.
 */
export function capturingLogger(level = "debug"): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const log = createLogger({
    level,
    destination: new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    }),
  });
  return { log, lines };
}
