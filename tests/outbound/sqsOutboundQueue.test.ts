import { randomUUID } from "node:crypto";
import {
  CreateScheduleGroupCommand,
  GetScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
} from "@aws-sdk/client-scheduler";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { openOutboundQueue } from "../../runtime/src/outbound/queue/openOutboundQueue";
import { QueueUnavailableError } from "../../runtime/src/outbound/queue/queueUnavailableError";
import {
  SqsOutboundQueue,
  atExpression,
  scheduleName,
} from "../../runtime/src/outbound/queue/sqsOutboundQueue";
import { startEmulator, TEST_CREDENTIALS, type Emulator } from "../support/motoServer";
import { outboundQueueConformance, type QueueHarness } from "./outboundQueueConformance";

const REGION = "us-east-1";
const ROLE_ARN = "arn:aws:iam::123456789012:role/eum-sms-scheduler";

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
}, 30_000);
afterAll(async () => {
  await emulator?.stop();
});

function clients(): { sqs: SQSClient; scheduler: SchedulerClient } {
  const config = {
    region: REGION,
    endpoint: emulator.endpoint,
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
  };
  return { sqs: new SQSClient(config), scheduler: new SchedulerClient(config) };
}

interface QueueFixture {
  sqs: SQSClient;
  scheduler: SchedulerClient;
  queueUrl: string;
  queueArn: string;
  scheduleGroup: string;
  payloads: string[];
}

/** A new queue and schedule group in moto, with every body and schedule input recorded. */
async function freshFixture(): Promise<QueueFixture> {
  const { sqs, scheduler } = clients();
  const name = `eum-sms-outbound-${randomUUID().slice(0, 8)}`;
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const attributes = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }),
  );
  await scheduler.send(new CreateScheduleGroupCommand({ Name: name }));
  const payloads: string[] = [];
  sqs.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === "SendMessageCommand") {
        payloads.push((args.input as { MessageBody: string }).MessageBody);
      }
      return next(args);
    },
    { step: "initialize", name: "recordBodies" },
  );
  scheduler.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === "CreateScheduleCommand") {
        const input = args.input as { Target?: { Input?: string }; Description?: string };
        payloads.push(input.Target?.Input ?? "");
        if (input.Description !== undefined) payloads.push(input.Description);
      }
      return next(args);
    },
    { step: "initialize", name: "recordInputs" },
  );
  return {
    sqs,
    scheduler,
    queueUrl: QueueUrl!,
    queueArn: attributes.Attributes!.QueueArn!,
    scheduleGroup: name,
    payloads,
  };
}

async function openHarness(): Promise<QueueHarness> {
  const f = await freshFixture();
  const queue = new SqsOutboundQueue(
    {
      queueUrl: f.queueUrl,
      queueArn: f.queueArn,
      scheduleGroup: f.scheduleGroup,
      schedulerRoleArn: ROLE_ARN,
    },
    { sqs: f.sqs, scheduler: f.scheduler },
  );
  return {
    queue,
    now: () => new Date(),
    // SQS keeps its own time: the test really waits (a few seconds in all).
    advance: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    canSkipDays: false,
    queueArn: f.queueArn,
    schedulerRoleArn: ROLE_ARN,
    schedule: async (sendId) => {
      try {
        const s = await f.scheduler.send(
          new GetScheduleCommand({ Name: scheduleName(sendId), GroupName: f.scheduleGroup }),
        );
        return {
          expression: s.ScheduleExpression!,
          timeZone: s.ScheduleExpressionTimezone,
          targetArn: s.Target!.Arn!,
          roleArn: s.Target?.RoleArn,
          input: s.Target?.Input,
        };
      } catch (err) {
        if (err instanceof ResourceNotFoundException) return undefined;
        throw err;
      }
    },
    payloads: async () => [...f.payloads],
    close: async () => {
      await queue.close();
      f.sqs.destroy();
      f.scheduler.destroy();
    },
  };
}

outboundQueueConformance("SqsOutboundQueue (moto)", openHarness);

describe("SqsOutboundQueue", () => {
  it("sends within 15 minutes with DelaySeconds rounded up, and later through a one-time schedule", async () => {
    const f = await freshFixture();
    const now = new Date("2026-03-02T15:00:00.000Z");
    const calls: { command: string; input: Record<string, unknown> }[] = [];
    f.sqs.middlewareStack.add(
      (next, context) => async (args) => {
        calls.push({ command: context.commandName!, input: args.input as Record<string, unknown> });
        return next(args);
      },
      { step: "initialize", name: "recordCalls" },
    );
    f.scheduler.middlewareStack.add(
      (next, context) => async (args) => {
        calls.push({ command: context.commandName!, input: args.input as Record<string, unknown> });
        return next(args);
      },
      { step: "initialize", name: "recordCalls" },
    );
    const queue = new SqsOutboundQueue(
      {
        queueUrl: f.queueUrl,
        queueArn: f.queueArn,
        scheduleGroup: f.scheduleGroup,
        schedulerRoleArn: ROLE_ARN,
      },
      { sqs: f.sqs, scheduler: f.scheduler, now: () => now },
    );
    await queue.enqueue("send-a", new Date(now.getTime() + 1500));
    await queue.enqueue("send-b", new Date(now.getTime() + 15 * 60 * 1000));
    await queue.enqueue("send-c", new Date(now.getTime() + 15 * 60 * 1000 + 1));
    await queue.enqueue("send-d", new Date(now.getTime() - 5000));
    const sends = calls.filter((c) => c.command !== "GetQueueAttributesCommand");
    expect(
      sends.map((c) => [c.command, c.input.DelaySeconds ?? c.input.ScheduleExpression]),
    ).toEqual([
      ["SendMessageCommand", 2],
      ["SendMessageCommand", 900],
      ["CreateScheduleCommand", "at(2026-03-02T15:15:01)"],
      ["SendMessageCommand", 0],
    ]);
    expect(sends[2]!.input).toMatchObject({
      GroupName: f.scheduleGroup,
      ScheduleExpressionTimezone: "UTC",
      FlexibleTimeWindow: { Mode: "OFF" },
      ActionAfterCompletion: "DELETE",
      Target: { Arn: f.queueArn, RoleArn: ROLE_ARN, Input: '{"sendId":"send-c"}' },
    });
    await queue.close();
    f.sqs.destroy();
    f.scheduler.destroy();
  });

  it("encrypts the schedules with the queue's own key, read from the queue once", async () => {
    const { sqs, scheduler } = clients();
    const name = `eum-sms-outbound-${randomUUID().slice(0, 8)}`;
    const keyArn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({ QueueName: name, Attributes: { KmsMasterKeyId: keyArn } }),
    );
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }),
    );
    await scheduler.send(new CreateScheduleGroupCommand({ Name: name }));
    const queue = new SqsOutboundQueue(
      {
        queueUrl: QueueUrl!,
        queueArn: Attributes!.QueueArn!,
        scheduleGroup: name,
        schedulerRoleArn: ROLE_ARN,
      },
      { sqs, scheduler },
    );
    const later = new Date(Date.now() + 2 * 24 * 60 * 60 * 1000);
    await queue.enqueue("send-key-1", later);
    await queue.enqueue("send-key-2", later);
    for (const sendId of ["send-key-1", "send-key-2"]) {
      const schedule = await scheduler.send(
        new GetScheduleCommand({ Name: sendId, GroupName: name }),
      );
      expect(schedule.KmsKeyArn).toBe(keyArn);
    }
    sqs.destroy();
    scheduler.destroy();
  });

  it("leaves a message that is not {sendId} for the dead-letter queue, logging its id only", async () => {
    const f = await freshFixture();
    const warnings: { fields: Record<string, unknown>; message: string }[] = [];
    const queue = new SqsOutboundQueue(
      {
        queueUrl: f.queueUrl,
        queueArn: f.queueArn,
        scheduleGroup: f.scheduleGroup,
        schedulerRoleArn: ROLE_ARN,
      },
      {
        sqs: f.sqs,
        scheduler: f.scheduler,
        logger: { warn: (fields, message) => warnings.push({ fields, message }) },
      },
    );
    const { MessageId } = await f.sqs.send(
      new SendMessageCommand({ QueueUrl: f.queueUrl, MessageBody: "call +15555550123" }),
    );
    expect(await queue.receive(10, { waitMs: 1000, visibilityMs: 30_000 })).toEqual([]);
    // Not deleted: it is held (in flight) and counts toward the redrive's maxReceiveCount.
    expect(await queue.stats()).toMatchObject({ visible: 0, inFlight: 1 });
    expect(warnings).toEqual([
      { fields: { sqsMessageId: MessageId }, message: expect.any(String) },
    ]);
    expect(JSON.stringify(warnings)).not.toContain("5555550123");
    await queue.close();
    f.sqs.destroy();
    f.scheduler.destroy();
  });

  it("reports AWS errors as QueueUnavailableError, so callers answer 5xx", async () => {
    const { sqs, scheduler } = clients();
    const queue = new SqsOutboundQueue(
      {
        queueUrl: `${emulator.endpoint}/123456789012/no-such-queue`,
        queueArn: "arn:aws:sqs:us-east-1:123456789012:no-such-queue",
        scheduleGroup: "no-such-group",
        schedulerRoleArn: ROLE_ARN,
      },
      { sqs, scheduler },
    );
    await expect(queue.enqueue("send-x", new Date())).rejects.toBeInstanceOf(QueueUnavailableError);
    await expect(queue.receive(1, { waitMs: 0, visibilityMs: 1000 })).rejects.toBeInstanceOf(
      QueueUnavailableError,
    );
    await expect(queue.stats()).rejects.toBeInstanceOf(QueueUnavailableError);
    sqs.destroy();
    scheduler.destroy();
  });
});

describe("schedule names and times", () => {
  it("uses a send id as the schedule name when it fits Scheduler's rules, else a hash of it", () => {
    const id = `send-${randomUUID()}`;
    expect(scheduleName(id)).toBe(id);
    const odd = `send:${"x".repeat(80)}`;
    expect(scheduleName(odd)).toMatch(/^send-[0-9a-f]{59}$/);
    expect(scheduleName(odd)).toHaveLength(64);
    expect(scheduleName(odd)).not.toBe(scheduleName(`${odd}y`));
  });

  it("writes at() in UTC and rounds up to the second, never early", () => {
    expect(atExpression(new Date("2026-03-04T05:06:07.000Z"))).toBe("at(2026-03-04T05:06:07)");
    expect(atExpression(new Date("2026-03-04T05:06:07.001Z"))).toBe("at(2026-03-04T05:06:08)");
    expect(atExpression(new Date("2026-12-31T23:59:59.500Z"))).toBe("at(2027-01-01T00:00:00)");
  });
});

describe("openOutboundQueue", () => {
  const sqsConfig = {
    kind: "sqs" as const,
    queueUrl: "https://sqs.us-east-1.amazonaws.com/123456789012/eum-sms-outbound",
    queueArn: "arn:aws:sqs:us-east-1:123456789012:eum-sms-outbound",
    scheduleGroup: "eum-sms-sends",
    schedulerRoleArn: ROLE_ARN,
    region: REGION,
  };

  it("opens the SQLite queue for kind sqlite and the SQS queue for kind sqs", async () => {
    const sqlite = await openOutboundQueue({ kind: "sqlite", path: ":memory:" });
    expect(sqlite.kind).toBe("sqlite");
    await sqlite.close();
    const sqs = await openOutboundQueue(sqsConfig);
    expect(sqs).toBeInstanceOf(SqsOutboundQueue);
    expect(sqs.kind).toBe("sqs");
    await sqs.close();
  });

  it("works end to end against an endpoint", async () => {
    const f = await freshFixture();
    const queue = await openOutboundQueue(
      { ...sqsConfig, queueUrl: f.queueUrl, queueArn: f.queueArn, scheduleGroup: f.scheduleGroup },
      { endpoint: emulator.endpoint, credentials: TEST_CREDENTIALS },
    );
    await queue.enqueue("send-open", new Date());
    expect((await queue.receive(1, { waitMs: 1000, visibilityMs: 1000 }))[0]?.sendId).toBe(
      "send-open",
    );
    await queue.close();
    f.sqs.destroy();
    f.scheduler.destroy();
  });

  it.each([
    ["queueUrl", "OUTBOUND_QUEUE_URL"],
    ["queueArn", "OUTBOUND_QUEUE_ARN"],
    ["scheduleGroup", "SEND_SCHEDULE_GROUP"],
    ["schedulerRoleArn", "SEND_SCHEDULER_ROLE_ARN"],
    ["region", "AWS_REGION"],
  ])("names %s's variable %s when it is missing or malformed", async (key, env) => {
    await expect(openOutboundQueue({ ...sqsConfig, [key]: "" })).rejects.toThrow(
      new RegExp(`^${env} is missing`),
    );
    await expect(openOutboundQueue({ ...sqsConfig, [key]: "not valid!" })).rejects.toThrow(
      new RegExp(`^${env} is malformed`),
    );
  });
});
