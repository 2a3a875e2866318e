import { LOG_METRICS } from "../../../runtime/src/contract/logMetrics";
import { RegistrationGate } from "../../../runtime/src/outbound/registrationGate";
import type { NumberReadiness } from "../../../runtime/src/sms/numberReadiness";
import { capturingLogger as serviceLogger } from "../../support/capturingLogger";

/** The service's own logger writing into an array, so lines are what CloudWatch would receive. */
function capturingLogger() {
  const { log, lines: raw } = serviceLogger("info");
  const lines = () => raw.map((l) => JSON.parse(l) as Record<string, unknown>);
  const gauge = () =>
    lines()
      .filter((l) => l.metric === LOG_METRICS.sendsHeld.name)
      .map((l) => l.value);
  return { log, raw, lines, gauge };
}

/** A NumberReadinessCheck stand-in the test drives: `check` is one interval's look. */
class FakeReadiness {
  state: NumberReadiness = { checked: false, ready: false };
  private readonly listeners: ((state: NumberReadiness) => void)[] = [];
  current(): NumberReadiness {
    return this.state;
  }
  async refresh(): Promise<NumberReadiness> {
    return this.state;
  }
  onChecked(listener: (state: NumberReadiness) => void): void {
    this.listeners.push(listener);
  }
  check(status: string | undefined): void {
    this.state =
      status === undefined
        ? { checked: false, ready: false }
        : { checked: true, ready: status === "ACTIVE", status };
    for (const l of this.listeners) l(this.state);
  }
}

describe("the registration gate's SendsHeld metric", () => {
  it("writes a point on every readiness check, changed or not, and one on each change", () => {
    const readiness = new FakeReadiness();
    const { log, gauge, lines } = capturingLogger();
    const gate = new RegistrationGate({ numberReadiness: readiness, log });

    readiness.check("ACTIVE");
    readiness.check("ACTIVE");
    expect(gauge()).toEqual([0, 0]);

    readiness.check("PENDING");
    readiness.check("PENDING");
    readiness.check("PENDING");
    expect(gauge()).toEqual([0, 0, 1, 1, 1]);
    // A send decision in between reports nothing new: the state did not change.
    expect(gate.current()).toEqual({ ready: false, reason: "number status PENDING" });
    expect(gauge()).toHaveLength(5);

    readiness.check("ACTIVE");
    expect(gauge()).toEqual([0, 0, 1, 1, 1, 0]);
    const held = lines().filter((l) => l.value === 1);
    expect(held.map((l) => l.msg)).toEqual([
      "sends held: they queue until the number can send",
      "sends still held",
      "sends still held",
    ]);
    expect(held.every((l) => l.reason === "number status PENDING")).toBe(true);
  });

  it("writes a point when a registration event closes or restores sending", async () => {
    const readiness = new FakeReadiness();
    const { log, gauge } = capturingLogger();
    const gate = new RegistrationGate({ numberReadiness: readiness, log });
    readiness.check("ACTIVE");

    await gate.onRegistrationStatus("CLOSED", "2026-11-25T19:00:00.000Z");
    expect(gauge()).toEqual([0, 1]);
    readiness.check("ACTIVE");
    expect(gauge()).toEqual([0, 1, 1]);
    await gate.onRegistrationStatus("COMPLETE", "2026-11-25T19:05:00.000Z");
    expect(gauge()).toEqual([0, 1, 1, 0]);
  });

  it("reports the gauge on demand without a readiness check (mock mode)", () => {
    const { log, gauge } = capturingLogger();
    const gate = new RegistrationGate({ log });
    gate.reportSendsHeld();
    gate.reportSendsHeld();
    expect(gauge()).toEqual([0, 0]);
  });

  it("carries the metric name and a 0/1 value, and only fixed fields (no PHI, no per-send field)", async () => {
    const readiness = new FakeReadiness();
    const { log, raw, lines } = capturingLogger();
    const gate = new RegistrationGate({ numberReadiness: readiness, log });
    readiness.check("PENDING");
    readiness.check("PENDING");
    await gate.onRegistrationStatus("DELETED", "2026-11-25T19:00:00.000Z");
    readiness.check("ACTIVE");

    const metricLines = lines().filter((l) => "metric" in l);
    expect(metricLines.length).toBe(3);
    for (const line of metricLines) {
      expect(line.metric).toBe("SendsHeld");
      expect([0, 1]).toContain(line.value);
      // Only fixed fields: nothing per patient or per send that could become a dimension.
      expect(Object.keys(line).sort()).toEqual(
        expect.arrayContaining(["level", "time", "service", "msg", "sendsHeld", "metric", "value"]),
      );
      for (const key of Object.keys(line)) {
        expect([
          "level",
          "time",
          "service",
          "msg",
          "sendsHeld",
          "reason",
          "metric",
          "value",
        ]).toContain(key);
      }
    }
    expect(raw.join("")).not.toMatch(/\+\d{10,}/);
  });
});
