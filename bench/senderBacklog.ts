/**
 * The sender on a backlog, as the outbound queue's workers run it: the shared `RatePacer` over an
 * embedded SQLite store books each send's slot, the worker waits for it and sends once through
 * `SmsSender` and the real SDK client to the End User Messaging contract peer, which throttles
 * above the configured parts per second in any sliding second. A throttled send goes back to the
 * backlog (nothing was sent) and books a new slot, as the queue hands it back. Measures the parts
 * per second the backlog drains at, the throttling the peer answered, the sends that failed to
 * their caller, and duplicate deliveries.
 */
import { PinpointSMSVoiceV2Client } from "@aws-sdk/client-pinpoint-sms-voice-v2";
import { RatePacer } from "../runtime/src/outbound/ratePacer";
import { EndUserMessagingGateway } from "../runtime/src/sms/endUserMessagingGateway";
import { SmsGatewayError } from "../runtime/src/sms/smsGateway";
import { SmsSender } from "../runtime/src/sms/smsSender";
import { SqliteConversationStore } from "../runtime/src/store/sqliteStore";
import {
  achievedPartsPerSecond,
  firstInstantMsFor,
  peerAttempts,
} from "../tests/support/peerLedger";
import { SmsVoicePeer } from "../tests/support/smsVoicePeer";
import { countSegments } from "../runtime/src/sms/segments";

export interface BacklogResult {
  configuredPartsPerSecond: number;
  achievedPartsPerSecond: number;
  parts: number;
  throttledAtPeer: number;
  failedToCaller: number;
  duplicates: number;
  p50: number;
  p99: number;
}

/** Three tasks of four workers each, as the fault test and `bench:outbound` run the queue. */
const WORKERS = 12;

export async function senderBacklog(
  partsPerSecond: number,
  backlogSeconds: number,
): Promise<BacklogResult> {
  const peer = new SmsVoicePeer();
  peer.modes.throttleAbovePartsPerSecond = partsPerSecond;
  const endpoint = await peer.start();
  const client = new PinpointSMSVoiceV2Client({
    region: "us-east-1",
    endpoint,
    maxAttempts: 1,
    credentials: { accessKeyId: "bench", secretAccessKey: "bench" },
  });
  const store = new SqliteConversationStore(":memory:");
  const rate = new RatePacer({ store, identity: "+18445550100", partsPerSecond });
  const sender = new SmsSender({
    gateway: new EndUserMessagingGateway(client),
    originationIdentity: "+18445550100",
    configurationSetName: "eum-sms-bench",
    sharedRate: rate,
  });
  // Every fifth message takes two parts (a GSM body over 160 characters).
  const long = "Your appointment is confirmed. ".repeat(6);
  const backlog: { to: string; body: string }[] = [];
  let planned = 0;
  for (let i = 0; planned < partsPerSecond * backlogSeconds; i += 1) {
    const two = i % 5 === 4;
    backlog.push({
      to: `+1425555${String(1000 + i).padStart(4, "0")}`,
      body: `${two ? long : "Your appointment is confirmed."} #${i}`,
    });
    planned += two ? 2 : 1;
  }
  // A task that has been sending is warm: one call first, so the first window is not spent on
  // the SDK's first request (its code compiled, its connection opened), then a second and the
  // margin so that the peer counts none of it in the backlog's sliding seconds.
  await sender.send("+14255550000", "warm-up", { bench: "warm-up" }, { maxThrottleRetries: 0 });
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const warmCalls = peer.sends.length;
  const started = Date.now();
  const latencies: number[] = [];
  let failedToCaller = 0;
  const worker = async (): Promise<void> => {
    for (let next = backlog.shift(); next !== undefined; next = backlog.shift()) {
      const parts = countSegments(next.body).parts;
      const reserved = await rate.reserve(parts);
      // Held past its slot (a busy event loop), a send books a new one, as the workers do.
      if (reserved === undefined || (await rate.keep(reserved, parts)) === undefined) {
        throw new Error("a waiting reserve answered no slot");
      }
      try {
        await sender.send(
          next.to,
          next.body,
          { bench: next.to },
          {
            prePaced: true,
            maxThrottleRetries: 0,
          },
        );
        latencies.push(Date.now() - started);
      } catch (err) {
        // Throttled: nothing was sent; back to the backlog for a new slot, as the queue does.
        if (err instanceof SmsGatewayError && err.kind === "throttled") backlog.push(next);
        else failedToCaller += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, worker));
  client.destroy();
  await peer.stop();
  await store.close();
  const sends = peer.sends.slice(warmCalls);
  const bodies = sends.filter((s) => s.answer === "ok").map((s) => String(s.body.MessageBody));
  latencies.sort((a, b) => a - b);
  return {
    configuredPartsPerSecond: partsPerSecond,
    // The drain rate, as `bench:outbound` reads it: the first instant's calls (one, or in bursts
    // a window's) left out, over the time from the first call to the last one.
    achievedPartsPerSecond: achievedPartsPerSecond(
      peerAttempts(sends),
      firstInstantMsFor(rate.pacing),
    ),
    parts: bodies.reduce((n, body) => n + countSegments(body).parts, 0),
    throttledAtPeer: sends.filter((s) => s.answer === "ThrottlingException").length,
    failedToCaller,
    duplicates: bodies.length - new Set(bodies).size,
    p50: latencies[Math.floor(latencies.length / 2)] ?? NaN,
    p99: latencies[Math.floor(latencies.length * 0.99)] ?? NaN,
  };
}

/**
 * `node senderBacklog.js <parts/s> <seconds>`: one backlog in a process of its own, its result as
 * JSON on the last line of stdout. `npm run bench` runs the sender this way, with the image's
 * Node options as the service has: in the driver, whose heap holds the other rows' signed bodies,
 * its collections held the sender's event loop up at the slots.
 */
if (require.main === module) {
  const [partsPerSecond, seconds] = process.argv.slice(2).map(Number);
  if (!(partsPerSecond! > 0) || !(seconds! > 0)) {
    console.error("usage: node senderBacklog.js <parts per second> <backlog seconds>");
    process.exit(2);
  }
  senderBacklog(partsPerSecond!, seconds!).then(
    (result) => console.log(JSON.stringify(result)),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
