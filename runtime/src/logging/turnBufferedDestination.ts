import { closeSync, openSync, writeSync } from "node:fs";

/**
 * Where operational lines go: a file descriptor (stdout in the container) written once per
 * event-loop turn rather than once per line. Under load the webhook answers a whole group-commit
 * batch in one turn, and a `write(2)` per line cost more CPU than building the lines (each call
 * leaves the process and, on a VM with speculative-execution mitigations, cold caches behind it).
 *
 * Nothing is lost that a line-at-a-time writer keeps: a line at `warn` or above (a rejection, a
 * failure, what an operator reads after a crash) is written at once with everything before it,
 * and the rest is written at the end of the turn, at `flushSync()`, and on process exit. Only a
 * SIGKILL inside the turn loses that turn's info lines. The stdout audit log uses it too, and
 * the app calls `flushSync()` before each response leaves, so an answer never precedes its audit
 * event.
 */
export interface TurnBufferedDestination {
  write(line: string): void;
  flushSync(): void;
  /** Writes what is pending and stops (closes the file if this opened it). */
  end(): void;
}

/** pino's numeric levels: 40 is `warn`. */
const WRITE_AT_ONCE_FROM_LEVEL = 40;

export function turnBufferedDestination(target: number | string): TurnBufferedDestination {
  const fd = typeof target === "number" ? target : openSync(target, "a");
  let pending: string[] = [];
  let scheduled = false;
  let ended = false;

  const flushSync = () => {
    if (pending.length === 0) return;
    const text = pending.length === 1 ? pending[0]! : pending.join("");
    pending = [];
    writeAll(fd, text);
  };
  const onExit = () => flushSync();
  process.on("exit", onExit);

  return {
    write(line) {
      if (ended) return;
      pending.push(line);
      if (levelOf(line) >= WRITE_AT_ONCE_FROM_LEVEL) {
        flushSync();
        return;
      }
      if (!scheduled) {
        scheduled = true;
        setImmediate(() => {
          scheduled = false;
          flushSync();
        });
      }
    },
    flushSync,
    end() {
      if (ended) return;
      flushSync();
      ended = true;
      process.off("exit", onExit);
      if (typeof target === "string") closeSync(fd);
    },
  };
}

const LEVEL_PREFIX = '{"level":';

/** The level pino writes first in every line (`{"level":30,...`); unknown shapes count as urgent. */
export function levelOf(line: string): number {
  // pino's levels are two digits: read them where they sit (a regex per line cost more).
  if (line.startsWith(LEVEL_PREFIX)) {
    const tens = line.charCodeAt(9) - 48;
    const units = line.charCodeAt(10) - 48;
    if (tens >= 0 && tens <= 9 && units >= 0 && units <= 9 && line.charCodeAt(11) === 44) {
      return tens * 10 + units;
    }
  }
  const match = /^\{"level":(\d+)/.exec(line);
  return match ? Number(match[1]) : Number.POSITIVE_INFINITY;
}

const PAUSE = new Int32Array(new SharedArrayBuffer(4));

function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text, "utf8");
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += writeSync(fd, bytes, offset, bytes.length - offset);
    } catch (err) {
      // A full pipe (stdout to a slow reader) answers EAGAIN: wait for it as a blocking write would.
      if ((err as NodeJS.ErrnoException).code !== "EAGAIN") throw err;
      Atomics.wait(PAUSE, 0, 0, 1);
    }
  }
}
