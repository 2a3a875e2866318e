import { loadConfig } from "../../../runtime/src/config";
import { configProblems } from "../../support/configProblems";

const production = {
  USE_MOCK_SMS: "false",
  AWS_REGION: "us-west-2",
  AWS_SMS_ORIGINATION_NUMBER: "+18445550100",
  AWS_SMS_CONFIGURATION_SET: "eum-sms-prod",
  AGENT_API_TOKEN: "a".repeat(32),
  EVENTBRIDGE_API_KEY: "b".repeat(32),
  PATIENT_REF_KEY: "c".repeat(32),
  SNS_ALLOWED_TOPIC_ARNS: "arn:aws:sns:us-west-2:123456789012:eum-sms-inbound",
  STORE: "dynamodb:eum-sms-prod",
};

describe("loadConfig", () => {
  it("runs locally on embedded defaults: mock SMS, SQLite, port 10003", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 10003,
      useMockSms: true,
      store: { kind: "sqlite", path: "./data/sms.db" },
      eventBridgeApiKeyHeader: "x-api-key",
      maxPartsPerSecond: 1,
      selfManagedOptOuts: false,
    });
    expect(config.devDefaultsUsed).toEqual([
      "AGENT_API_TOKEN",
      "EVENTBRIDGE_API_KEY",
      "PATIENT_REF_KEY",
    ]);
  });

  it("reads a full production environment", () => {
    expect(loadConfig(production)).toMatchObject({
      useMockSms: false,
      region: "us-west-2",
      originationIdentity: "+18445550100",
      configurationSet: "eum-sms-prod",
      store: { kind: "dynamodb", table: "eum-sms-prod" },
      snsAllowedTopicArns: ["arn:aws:sns:us-west-2:123456789012:eum-sms-inbound"],
      devDefaultsUsed: [],
    });
  });

  it("names every missing production key with its fix, one line each", () => {
    const found = configProblems({ USE_MOCK_SMS: "false" });
    expect(found).toHaveLength(5);
    for (const key of [
      "AWS_SMS_ORIGINATION_NUMBER",
      "AGENT_API_TOKEN",
      "EVENTBRIDGE_API_KEY",
      "PATIENT_REF_KEY",
      "SNS_ALLOWED_TOPIC_ARNS",
    ]) {
      expect(found.some((line) => line.startsWith(key))).toBe(true);
    }
  });

  it.each([
    [{ PORT: "70000" }, /^PORT="70000" must be a whole number from 1 to 65535/],
    [{ USE_MOCK_SMS: "maybe" }, /^USE_MOCK_SMS="maybe" is not a boolean/],
    [{ STORE: "postgres:x" }, /^STORE="postgres:x" must be sqlite:<path> or dynamodb:<table>/],
    [{ STORE: "dynamodb:a" }, /is not a DynamoDB table name/],
    [{ SNS_ALLOWED_TOPIC_ARNS: "arn:aws:sqs:us-east-1:1:x" }, /is not an SNS topic ARN/],
    [{ SMS_MAX_PARTS_PER_SECOND: "0" }, /^SMS_MAX_PARTS_PER_SECOND="0" must be a number/],
    [{ AGENT_API_TOKEN: "short" }, /^AGENT_API_TOKEN is too short/],
    [{ EVENTBRIDGE_API_KEY_HEADER: "bad header" }, /not a valid HTTP header name/],
    [{ EVENTBRIDGE_API_KEY_HEADER: "Authorization" }, /must not be authorization/],
    [{ AWS_REGION: "mars" }, /^AWS_REGION="mars" is not an AWS region/],
    [{ LOG_LEVEL: "loud" }, /^LOG_LEVEL="loud" must be one of/],
    [{ SNS_CERT_FETCH_OVERRIDE: "https://example.com" }, /must be http:\/\/127\.0\.0\.1/],
  ])("rejects %j", (env, message) => {
    expect(configProblems(env as Record<string, string>)).toEqual([expect.stringMatching(message)]);
  });

  it("refuses the test-only certificate override in production and without an emulator", () => {
    expect(
      configProblems({ SNS_CERT_FETCH_OVERRIDE: "http://127.0.0.1:5000", NODE_ENV: "production" }),
    ).toEqual([
      expect.stringMatching(
        /^SNS_CERT_FETCH_OVERRIDE is a test-only setting and is refused with NODE_ENV=production/,
      ),
    ]);
    expect(
      configProblems({ ...production, SNS_CERT_FETCH_OVERRIDE: "http://127.0.0.1:5000" }),
    ).toEqual([expect.stringMatching(/needs an emulator endpoint/)]);
    const emulated = loadConfig({
      ...production,
      SNS_CERT_FETCH_OVERRIDE: "http://127.0.0.1:5000",
      AWS_ENDPOINT_URL: "http://127.0.0.1:5000",
    });
    expect(emulated.snsCertFetchOverride).toBe("http://127.0.0.1:5000");
    expect(emulated.warnings).toEqual([expect.stringMatching(/tests only/)]);
  });

  it("warns about the retired Pinpoint app id without failing", () => {
    expect(loadConfig({ ...production, AWS_PINPOINT_APP_ID: "abc" }).warnings).toEqual([
      expect.stringMatching(/^AWS_PINPOINT_APP_ID is ignored/),
    ]);
  });

  it("says all problems at once", () => {
    expect(configProblems({ PORT: "x", STORE: "y" })).toEqual(
      expect.arrayContaining([expect.stringMatching(/^PORT=/), expect.stringMatching(/^STORE=/)]),
    );
  });
});
