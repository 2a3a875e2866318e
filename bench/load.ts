/**
 * Drives one server, with autocannon or at a steady rate with `pacedLoad`: the figures a bench
 * row needs.
 */
import autocannon from "autocannon";
import { pacedLoad } from "./pacedLoad";

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  non2xx: number;
  errors: number;
}

export interface LoadOptions {
  url: string;
  headers: Record<string, string>;
  /** Sent in turn, from the start again when spent. */
  bodies?: readonly string[];
  /** Or the next body, for a load that must never repeat one (`SignedBodyStream`). */
  nextBody?: () => string;
  seconds: number;
  /** Or this many requests, however long they take (then `seconds` is ignored). */
  amount?: number;
  connections: number;
  /**
   * Requests per second, evenly spaced and open-loop (`pacedLoad.ts`); unset: as fast as the
   * server answers, each connection sending its next request on the last one's answer.
   */
  overallRate?: number;
  /** With `overallRate`: seconds of the same stream sent first and not counted (`pacedLoad.ts`). */
  warmUpSeconds?: number;
  /** With `overallRate`: called when the counted part starts. */
  onCountedStart?: () => void;
}

export async function load(options: LoadOptions): Promise<LoadResult> {
  let i = 0;
  const bodies = options.bodies ?? [];
  const nextBody = options.nextBody ?? (() => bodies[i++ % bodies.length]!);
  if (options.overallRate) {
    return pacedLoad({
      url: options.url,
      headers: options.headers,
      nextBody,
      seconds: options.seconds,
      rate: options.overallRate,
      connections: options.connections,
      ...(options.warmUpSeconds ? { warmUpSeconds: options.warmUpSeconds } : {}),
      ...(options.onCountedStart ? { onCountedStart: options.onCountedStart } : {}),
    });
  }
  const started = performance.now();
  let lastResponse = started;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const run = autocannon(
      {
        url: `${options.url}/sms/webhook`,
        method: "POST",
        connections: options.connections,
        ...(options.amount ? { amount: options.amount } : { duration: options.seconds }),
        headers: options.headers,
        requests: [{ setupRequest: (req) => ({ ...req, body: nextBody() }) }],
      },
      (err, res) => (err ? reject(err) : resolve(res)),
    );
    run.on("response", () => {
      lastResponse = performance.now();
    });
  });
  return {
    // autocannon's figures are per whole second, and a run of a given amount ends only at the
    // next one: its rate is over the time to its last response.
    rps: options.amount
      ? (result.requests.total * 1000) / (lastResponse - started)
      : result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}
