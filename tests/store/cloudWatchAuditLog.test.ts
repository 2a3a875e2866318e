import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  GetLogEventsCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import pino from "pino";
import { MemoryAuditLog, type AuditEvent } from "../../runtime/src/logging/audit";
import { CloudWatchAuditLog } from "../../runtime/src/logging/cloudWatchAuditLog";
import { startEmulator, TEST_CREDENTIALS, type Emulator } from "../support/motoServer";

let emulator: Emulator;
let client: CloudWatchLogsClient;
beforeAll(async () => {
  emulator = await startEmulator();
  client = new CloudWatchLogsClient({
    region: "us-east-1",
    endpoint: emulator.endpoint,
    credentials: TEST_CREDENTIALS,
  });
}, 30_000);
afterAll(async () => {
  client?.destroy();
  await emulator?.stop();
});

const event = (n: number): AuditEvent => ({
  actor: "agent",
  action: "conversation.read",
  record: `conversation:c-${n}`,
  outcome: "success",
  requestId: `r-${n}`,
});

describe("CloudWatchAuditLog (moto)", () => {
  it("writes audit events, in order, to the audit log group", async () => {
    await client.send(new CreateLogGroupCommand({ logGroupName: "/eum-sms/test/audit" }));
    const fallback = new MemoryAuditLog();
    const audit = new CloudWatchAuditLog({
      client,
      logGroupName: "/eum-sms/test/audit",
      logStreamName: "runtime/a",
      fallback,
      log: pino({ level: "silent" }),
    });
    for (let i = 0; i < 3; i += 1) audit.record(event(i));
    await audit.close();
    const out = await client.send(
      new GetLogEventsCommand({ logGroupName: "/eum-sms/test/audit", logStreamName: "runtime/a" }),
    );
    expect(out.events?.map((e) => JSON.parse(e.message ?? "{}").record)).toEqual([
      "conversation:c-0",
      "conversation:c-1",
      "conversation:c-2",
    ]);
    expect(fallback.events).toEqual([]);
  });

  it("writes a refused batch to the fallback instead of losing it", async () => {
    const fallback = new MemoryAuditLog();
    const audit = new CloudWatchAuditLog({
      client,
      logGroupName: "/eum-sms/test/missing",
      logStreamName: "runtime/b",
      fallback,
      log: pino({ level: "silent" }),
    });
    audit.record(event(7));
    audit.record(event(8));
    await audit.close();
    expect(fallback.events).toEqual([event(7), event(8)]);
  });
});
