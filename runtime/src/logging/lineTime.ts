/**
 * pino's `timestamp` for both loggers: the same `,"time":"<ISO 8601>"` as
 * `pino.stdTimeFunctions.isoTime`, rendered once per millisecond rather than once per line. Under
 * load a request writes two lines and a batch of requests is answered within the same
 * millisecond, so most lines reuse the last rendering.
 */
export function isoTimeOncePerMs(): () => string {
  let renderedMs = Number.NaN;
  let rendered = "";
  return () => {
    const ms = Date.now();
    if (ms !== renderedMs) {
      renderedMs = ms;
      rendered = `,"time":"${new Date(ms).toISOString()}"`;
    }
    return rendered;
  };
}
