import {
  SmsGatewayError,
  type SendTextRequest,
  type SmsGateway,
} from "../../../runtime/src/sms/smsGateway";
import { SmsSender } from "../../../runtime/src/sms/smsSender";

/** A gateway that fails with the scripted kinds first, then succeeds; a fake clock and rate. */
function setup(failures: SmsGatewayError["kind"][], partsPerSecond = 1) {
  let now = 0;
  const slept: number[] = [];
  const takes: { at: number; parts: number }[] = [];
  const calls: { at: number; request: SendTextRequest }[] = [];
  const gateway: SmsGateway = {
    async sendText(request) {
      calls.push({ at: now, request });
      const kind = failures.shift();
      if (kind) throw new SmsGatewayError(kind, "Scripted");
      return { messageId: `m-${calls.length}` };
    },
  };
  // The shared rate as the sender sees it: each take waits its parts' time on the fake clock.
  let freeAt = 0;
  const sharedRate = {
    async take(parts: number) {
      takes.push({ at: now, parts });
      const start = Math.max(now, freeAt);
      freeAt = start + (parts * 1000) / partsPerSecond;
      now = start;
      return true;
    },
  };
  const sender = new SmsSender({
    gateway,
    originationIdentity: "+18445550100",
    configurationSetName: "cs",
    sharedRate,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
    random: () => 1,
    maxThrottleRetries: 3,
    baseBackoffMs: 100,
    maxBackoffMs: 250,
  });
  return { sender, calls, slept, takes, advance: (ms: number) => (now += ms) };
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
    // backoff 100, 200 (random()=1 takes the full jitter range), each retry then waits its turn
    // at the shared rate (one part a second)
    expect(slept).toEqual([100, 200]);
    expect(calls.map((c) => c.at)).toEqual([0, 1000, 2000]);
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

  it("takes each send's parts from the shared rate before calling", async () => {
    const { sender, calls } = setup([], 1);
    for (let i = 0; i < 3; i += 1) await sender.send("+14255550100", "x".repeat(200), {}); // 2 parts each
    expect(calls.map((c) => c.at)).toEqual([0, 2000, 4000]);
  });

  it("takes every attempt's parts from the shared rate, except a first attempt paced before", async () => {
    const { sender, calls, takes } = setup(["throttled"], 1);
    await sender.send("+14255550100", "x".repeat(200), {}, { prePaced: true }); // 2 parts
    // The first attempt went without a take; the retry after throttling took its 2 parts.
    expect(takes).toEqual([{ at: 100, parts: 2 }]);
    expect(calls.map((c) => c.at)).toEqual([0, 100]);
  });

  it("hands throttling back at once when the caller allows no retries", async () => {
    const { sender, calls, takes } = setup(["throttled"]);
    await expect(
      sender.send("+14255550100", "hi", {}, { prePaced: true, maxThrottleRetries: 0 }),
    ).rejects.toMatchObject({ kind: "throttled" });
    expect(calls).toHaveLength(1);
    expect(takes).toEqual([]);
  });
});
