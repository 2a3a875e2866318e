/**
 * An open-loop load at a steady rate, for the rows "at half the maximum rate": request k is due
 * at start + k / rate whatever became of the requests before it, and its latency runs from when it
 * was due, so a stall of the server (or of this generator) counts against the figure instead of
 * postponing the requests behind it (wrk2's way).
 *
 * autocannon's `overallRate` is not that load: each connection sends back to back until its share
 * of the second is spent, then waits for the next second, so "half the maximum rate" was the
 * maximum rate for half of every second, 50 requests queued at once at the top of each second.
 */
import { Agent, request } from "node:http";
import type { LoadResult } from "./load";

export interface PacedLoadOptions {
  url: string;
  headers: Record<string, string>;
  nextBody: () => string;
  seconds: number;
  /** Requests per second, evenly spaced. */
  rate: number;
  /** At most this many requests in flight (kept-alive connections); later ones wait their turn. */
  connections: number;
}

export async function pacedLoad(options: PacedLoadOptions): Promise<LoadResult> {
  const target = new URL(`${options.url}/sms/webhook`);
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const total = Math.max(1, Math.floor(options.seconds * options.rate));
  const spacingMs = 1000 / options.rate;
  const latencies: number[] = [];
  let sent = 0;
  let settled = 0;
  let non2xx = 0;
  let errors = 0;
  const started = performance.now();
  let lastAnswer = started;

  await new Promise<void>((resolve) => {
    const settle = () => {
      settled += 1;
      lastAnswer = performance.now();
      if (settled === total) {
        clearInterval(timer);
        resolve();
      }
    };
    const send = (due: number) => {
      const body = options.nextBody();
      const req = request(
        target,
        {
          method: "POST",
          agent,
          headers: { ...options.headers, "content-length": Buffer.byteLength(body) },
        },
        (res) => {
          res.resume();
          res.on("end", () => {
            const status = res.statusCode ?? 0;
            // As autocannon does: the percentiles are of the 2xx answers.
            if (status >= 200 && status < 300) latencies.push(performance.now() - due);
            else non2xx += 1;
            settle();
          });
        },
      );
      req.on("error", () => {
        errors += 1;
        settle();
      });
      req.end(body);
    };
    // Timers fire at best every millisecond: each tick sends every request that has come due.
    const timer = setInterval(() => {
      const now = performance.now();
      while (sent < total && started + sent * spacingMs <= now) {
        send(started + sent * spacingMs);
        sent += 1;
      }
    }, 1);
  });
  agent.destroy();

  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return {
    rps: (total * 1000) / (lastAnswer - started),
    p50: at(0.5),
    p99: at(0.99),
    requests: total,
    non2xx,
    errors,
  };
}
