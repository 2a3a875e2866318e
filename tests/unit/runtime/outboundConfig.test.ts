import { loadConfig } from "../../../runtime/src/config";
import { parseSendTiming } from "../../../runtime/src/outbound/sendTiming";
import { configProblems } from "../../support/configProblems";

const sqs = {
  OUTBOUND_QUEUE_URL: "https://sqs.us-west-2.amazonaws.com/123456789012/eum-sms-outbound",
  OUTBOUND_QUEUE_ARN: "arn:aws:sqs:us-west-2:123456789012:eum-sms-outbound",
  SEND_SCHEDULE_GROUP: "eum-sms-sends",
  SEND_SCHEDULER_ROLE_ARN: "arn:aws:iam::123456789012:role/eum-sms-scheduler",
};

describe("outbound queue and send rule settings", () => {
  it("defaults to an embedded queue file beside the SQLite store and the stack's rule defaults", () => {
    const config = loadConfig({ STORE: "sqlite:/var/lib/eum/sms.db" });
    expect(config.outboundQueue).toEqual({
      kind: "sqlite",
      path: "/var/lib/eum/outbound-queue.db",
    });
    expect(config.sendRules).toEqual({
      requireConsent: false,
      quietHours: { allowedStart: "08:00", allowedEnd: "21:00" },
      frequencyCap: undefined,
    });
    expect(loadConfig({ STORE: "sqlite::memory:" }).outboundQueue).toEqual({
      kind: "sqlite",
      path: ":memory:",
    });
  });

  it("takes the SQS queue and Scheduler when all four settings are given", () => {
    expect(loadConfig(sqs).outboundQueue).toEqual({
      kind: "sqs",
      queueUrl: sqs.OUTBOUND_QUEUE_URL,
      queueArn: sqs.OUTBOUND_QUEUE_ARN,
      scheduleGroup: sqs.SEND_SCHEDULE_GROUP,
      schedulerRoleArn: sqs.SEND_SCHEDULER_ROLE_ARN,
    });
  });

  it.each(Object.keys(sqs))("names %s when it alone is missing", (key) => {
    const env: Record<string, string> = { ...sqs };
    delete env[key];
    const found = configProblems(env);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(new RegExp(`^${key} is missing: .*all of OUTBOUND_QUEUE_URL`));
  });

  it("refuses values that are not what their names say", () => {
    const found = configProblems({
      ...sqs,
      OUTBOUND_QUEUE_URL: "sqs://queue",
      OUTBOUND_QUEUE_ARN: "arn:aws:sns:us-west-2:123456789012:x",
      SEND_SCHEDULER_ROLE_ARN: "eum-sms-scheduler",
    });
    expect(found.map((p) => p.split("=")[0])).toEqual([
      "OUTBOUND_QUEUE_URL",
      "OUTBOUND_QUEUE_ARN",
      "SEND_SCHEDULER_ROLE_ARN",
    ]);
  });

  it("keeps the queue in memory with DynamoDB and no SQS (no store file to sit beside)", () => {
    expect(loadConfig({ STORE: "dynamodb:eum-sms" }).outboundQueue).toEqual({
      kind: "sqlite",
      path: ":memory:",
    });
  });

  it("reads REQUIRE_CONSENT, QUIET_HOURS and FREQUENCY_CAP", () => {
    const config = loadConfig({
      REQUIRE_CONSENT: "true",
      QUIET_HOURS: "09:30-20:00",
      FREQUENCY_CAP: "3/604800",
    });
    expect(config.sendRules).toEqual({
      requireConsent: true,
      quietHours: { allowedStart: "09:30", allowedEnd: "20:00" },
      frequencyCap: { maxSends: 3, windowSeconds: 604800 },
    });
  });

  it("takes QUIET_HOURS=off, with a warning", () => {
    const config = loadConfig({ QUIET_HOURS: "off" });
    expect(config.sendRules.quietHours).toBe("off");
    expect(config.warnings).toEqual([expect.stringMatching(/^QUIET_HOURS=off/)]);
  });

  it.each([
    ["QUIET_HOURS", "8-21"],
    ["QUIET_HOURS", "08:00-24:00"],
    ["QUIET_HOURS", "09:00-09:00"],
    ["FREQUENCY_CAP", "3 per week"],
    ["FREQUENCY_CAP", "0/604800"],
    ["FREQUENCY_CAP", "3/10"],
    ["REQUIRE_CONSENT", "maybe"],
  ])("refuses %s=%s, naming the key and the form", (key, value) => {
    const found = configProblems({ [key]: value });
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(`${key}="${value}"`);
  });
});

describe("sendAt and timeZone", () => {
  const now = new Date("2026-11-25T15:00:00Z");
  const code = (timing: { sendAt?: string; timeZone?: string }): string | undefined => {
    try {
      parseSendTiming(timing, now);
      return undefined;
    } catch (err) {
      return (err as { code: string }).code;
    }
  };

  it("takes a future time with an offset, and a time within a minute past as now", () => {
    expect(parseSendTiming({ sendAt: "2026-11-26T09:00:00-05:00" }, now).sendAt).toEqual(
      new Date("2026-11-26T14:00:00Z"),
    );
    expect(parseSendTiming({ sendAt: "2026-11-25T14:59:30Z" }, now).sendAt).toBeUndefined();
  });

  it.each([
    ["2026-11-26T09:00:00", "no offset"],
    ["tomorrow", "not a time"],
    ["2026-02-30T09:00:00Z", "no such day"],
    ["2026-11-25T14:58:00Z", "two minutes past"],
    ["2026-12-26T15:00:01Z", "more than 30 days ahead"],
  ])("refuses sendAt %s (%s) with INVALID_SEND_AT", (sendAt) => {
    expect(code({ sendAt })).toBe("INVALID_SEND_AT");
  });

  it("takes IANA zones and refuses anything else with INVALID_TIME_ZONE", () => {
    expect(code({ timeZone: "America/Chicago" })).toBeUndefined();
    expect(code({ timeZone: "America/Indiana/Knox" })).toBeUndefined();
    for (const timeZone of ["Mars/Olympus", "+05:00", "America/Chicago; DROP", ""]) {
      expect(code({ timeZone })).toBe("INVALID_TIME_ZONE");
    }
  });
});
