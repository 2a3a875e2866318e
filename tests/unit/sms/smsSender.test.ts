import { AppError } from "../../../runtime/src/errors";
import {
  SmsGatewayError,
  type SendTextRequest,
  type SmsGateway,
} from "../../../runtime/src/sms/smsGateway";
import { SmsSender } from "../../../runtime/src/sms/smsSender";

/** A gateway that fails with the scripted kinds first, then succeeds; and a fake clock. */
function setup(failures: SmsGatewayError["kind"][], partsPerSecond = 1) {
  let now = 0;
  const slept: number[] = [];
  const calls: { at: number; request: SendTextRequest }[] = [];
  const gateway: SmsGateway = {
    async sendText(request) {
      calls.push({ at: now, request });
      const kind = failures.shift();
      if (kind) throw new SmsGatewayError(kind, "Scripted");
      return { messageId: `m-${calls.length}` };
    },
  };
  const sender = new SmsSender({
    gateway,
    originationIdentity: "+18445550100",
    configurationSetName: "cs",
    partsPerSecond,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
    random: () => 1,
    maxThrottleRetries: 3,
    baseBackoffMs: 100,
    maxBackoffMs: 250,
  });
  return { sender, calls, slept, advance: (ms: number) => (now += ms) };
}

describe("SmsSender", () => {
  it("returns the message id, part count and encoding", async () => {
    const { sender, calls } = setup([]);
    await expect(sender.send("+14255550100", "é".repeat(161), {})).resolves.toEqual({
      messageId: "m-1",
      parts: 2,
      encoding: "GSM",
      throttleRetries: 0,
    });
    expect(calls[0]?.request).toMatchObject({
      originationIdentity: "+18445550100",
      configurationSetName: "cs",
    });
  });

  it("retries throttling with capped exponential backoff, then succeeds", async () => {
    const { sender, calls, slept } = setup(["throttled", "throttled"]);
    const sent = await sender.send("+14255550100", "hi", {});
    expect(sent.throttleRetries).toBe(2);
    expect(calls).toHaveLength(3);
    // backoff 100, 200 (random()=1 takes the full jitter range); bucket waits of 1000 between
    expect(slept).toEqual([100, 900, 200, 800]);
  });

  it("gives up after the bounded number of throttling retries", async () => {
    const { sender, calls } = setup([
      "throttled",
      "throttled",
      "throttled",
      "throttled",
      "throttled",
    ]);
    await expect(sender.send("+14255550100", "hi", {})).rejects.toMatchObject({
      kind: "throttled",
    });
    expect(calls).toHaveLength(4);
  });

  it.each(["opted_out", "rejected", "spend_limit", "quota_exceeded", "unknown"] as const)(
    "does not retry %s",
    async (kind) => {
      const { sender, calls } = setup([kind]);
      await expect(sender.send("+14255550100", "hi", {})).rejects.toMatchObject({ kind });
      expect(calls).toHaveLength(1);
    },
  );

  it("paces sends at the configured parts per second", async () => {
    const { sender, calls } = setup([], 1);
    for (let i = 0; i < 3; i += 1) await sender.send("+14255550100", "x".repeat(200), {}); // 2 parts each
    expect(calls.map((c) => c.at)).toEqual([0, 2000, 4000]);
  });

  it("refuses with 503 SEND_QUEUE_FULL rather than queueing for long", async () => {
    const gateway: SmsGateway = { sendText: async () => ({ messageId: "m" }) };
    const sender = new SmsSender({
      gateway,
      originationIdentity: "+18445550100",
      configurationSetName: undefined,
      partsPerSecond: 1,
      now: () => 0, // a frozen clock: every reservation queues behind the ones before it
      sleep: async () => undefined,
      maxQueueWaitMs: 10_000,
    });
    const results = await Promise.all(
      Array.from({ length: 15 }, () =>
        sender.send("+14255550100", "hi", {}).catch((e: unknown) => e),
      ),
    );
    const refused = results.filter((r) => r instanceof AppError);
    // waits of 0..10 s fit; the four that would wait 11..14 s are refused
    expect(refused).toHaveLength(4);
    expect(refused[0]).toMatchObject({
      statusCode: 503,
      code: "SEND_QUEUE_FULL",
      headers: { "retry-after": "10" },
    });
  });
});
