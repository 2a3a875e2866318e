/**
 * An open-loop load at a steady rate, for the rows "at half the maximum rate": request k is due
 * at start + k / rate whatever became of the requests before it, and its latency runs from when it
 * was due, so a stall of the server (or of this generator) counts against the figure instead of
 * postponing the requests behind it (wrk2's way).
 *
 * autocannon's `overallRate` is not that load: each connection sends back to back until its share
 * of the second is spent, then waits for the next second, so "half the maximum rate" was the
 * maximum rate for half of every second, 50 requests queued at once at the top of each second.
 *
 * The warm-up is the first seconds of the same stream, on the same kept-alive connections, not
 * counted. A fresh generator after a separate warm-up opened new connections to a warm service,
 * and its first 2 s had a p99 of 20-52 ms against 6-17 ms on the warm-up's connections (three
 * runs each at 1,800 req/s, 8 s warm-up); an ALB keeps its connections to a target alive.
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
  /** Seconds of the stream before `seconds`, sent alike and left out of the figures. */
  warmUpSeconds?: number;
  /** Called when the first counted request is due (to read the server's CPU time then). */
  onCountedStart?: () => void;
}

export async function pacedLoad(options: PacedLoadOptions): Promise<LoadResult> {
  const target = new URL(`${options.url}/sms/webhook`);
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const warmUp = Math.floor((options.warmUpSeconds ?? 0) * options.rate);
  const counted = Math.max(1, Math.floor(options.seconds * options.rate));
  const total = warmUp + counted;
  const spacingMs = 1000 / options.rate;
  const latencies: number[] = [];
  let sent = 0;
  let settled = 0;
  let non2xx = 0;
  let errors = 0;
  const started = performance.now();
  const countedFrom = started + warmUp * spacingMs;
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
    const send = (k: number) => {
      const due = started + k * spacingMs;
      const isCounted = k >= warmUp;
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
            if (status < 200 || status >= 300) non2xx += 1;
            else if (isCounted) latencies.push(performance.now() - due);
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
        if (sent === warmUp) options.onCountedStart?.();
        send(sent);
        sent += 1;
      }
    }, 1);
  });
  agent.destroy();

  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return {
    rps: (counted * 1000) / (lastAnswer - countedFrom),
    p50: at(0.5),
    p99: at(0.99),
    requests: counted,
    non2xx,
    errors,
  };
}
