import { logMetricPattern } from "../../infra/components/runtimeLogMetrics";
import { LOG_METRICS, logMetric } from "../../runtime/src/contract/logMetrics";
import { RegistrationGate } from "../../runtime/src/outbound/registrationGate";
import { capturingLogger } from "../support/capturingLogger";

/**
 * The stack's metric filters read the runtime's log lines, and nothing here runs CloudWatch's
 * matcher (moto's metric filters do not evaluate JSON patterns). So the pattern is held to the one
 * form the component writes, `{ ($.metric = "<name>") && ($.value = *) }`, and what that form
 * asks of a line (a top-level `metric` equal to the name and a top-level numeric `value`) is
 * checked on lines the runtime's own logger wrote: a logger change that nests or renames fields
 * fails here instead of silently ending the metrics.
 */
const PATTERN = /^\{ \(\$\.(\w+) = "(\w+)"\) && \(\$\.(\w+) = \*\) \}$/;

function matches(pattern: string, line: string): { value: number } | undefined {
  const parsed = PATTERN.exec(pattern);
  if (!parsed) throw new Error(`not the pattern form this test understands: ${pattern}`);
  const [, field, expected, valueField] = parsed;
  const event = JSON.parse(line) as Record<string, unknown>;
  const value = event[valueField!];
  // A metric value taken from a field must be a number for CloudWatch to publish it.
  return event[field!] === expected && typeof value === "number" ? { value } : undefined;
}

function runtimeLines() {
  return capturingLogger("info");
}

describe("the runtime's metric lines and the stack's metric filters", () => {
  it("every filter matches the line its metric is written in, with the line's value", async () => {
    const { log, lines } = runtimeLines();
    const gate = new RegistrationGate({ log });
    gate.reportSendsHeld();
    await gate.onRegistrationStatus("CLOSED", "2026-11-25T19:00:00.000Z");
    gate.reportSendsHeld();
    // The worker's and the carrier retry's lines, as they write them (sendWorker.ts, carrierRetry.ts).
    log.warn(
      { sendId: "send-1", ...logMetric(LOG_METRICS.sendOutcomeUnknown.name, 1) },
      "send outcome unknown",
    );
    log.info(
      { sendId: "send-2", deliveryStatus: "UNREACHABLE", metric: "CarrierRetryQueued", value: 1 },
      "temporary carrier failure: send queued again",
    );

    const points = (name: (typeof LOG_METRICS)[keyof typeof LOG_METRICS]["name"]) =>
      lines.map((l) => matches(logMetricPattern(name), l)?.value).filter((v) => v !== undefined);
    expect(points("SendsHeld")).toEqual([0, 1, 1]);
    expect(points("SendOutcomeUnknown")).toEqual([1]);
    expect(points("CarrierRetryQueued")).toEqual([1]);
  });

  it("a line without the metric or with a value that is not a number is not a data point", () => {
    const pattern = logMetricPattern("SendsHeld");
    expect(matches(pattern, JSON.stringify({ metric: "SendsHeld", value: "1" }))).toBeUndefined();
    expect(matches(pattern, JSON.stringify({ sendsHeld: true, value: 1 }))).toBeUndefined();
    expect(matches(pattern, JSON.stringify({ metric: "SendsHeldX", value: 1 }))).toBeUndefined();
    expect(matches(pattern, JSON.stringify({ metric: "SendsHeld", value: 0 }))).toEqual({
      value: 0,
    });
  });
});
