/**
 * The sender on a backlog: a burst of sends queued at once through the real SDK client to the
 * End User Messaging contract peer, which throttles above the configured parts per second
 * (a one-second sliding window). Measures the parts per second achieved, the throttling the
 * peer answered, the sends that failed to their caller, and duplicate deliveries.
 */
import { PinpointSMSVoiceV2Client } from "@aws-sdk/client-pinpoint-sms-voice-v2";
import { EndUserMessagingGateway } from "../runtime/src/sms/endUserMessagingGateway";
import { SmsSender } from "../runtime/src/sms/smsSender";
import { SmsVoicePeer } from "../tests/support/smsVoicePeer";

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
  const sender = new SmsSender({
    gateway: new EndUserMessagingGateway(client),
    originationIdentity: "+18445550100",
    configurationSetName: "eum-sms-bench",
    partsPerSecond,
  });
  // Every fifth message takes two parts (a GSM body over 160 characters).
  const long = "Your appointment is confirmed. ".repeat(6);
  const bodies: string[] = [];
  let planned = 0;
  for (let i = 0; planned < partsPerSecond * backlogSeconds; i += 1) {
    const two = i % 5 === 4;
    bodies.push(`${two ? long : "Your appointment is confirmed."} #${i}`);
    planned += two ? 2 : 1;
  }
  const started = Date.now();
  const latencies: number[] = [];
  const results = await Promise.allSettled(
    bodies.map((body, i) =>
      sender
        .send(`+1425555${String(1000 + i).padStart(4, "0")}`, body, { bench: String(i) })
        .then((sent) => {
          latencies.push(Date.now() - started);
          return sent;
        }),
    ),
  );
  const elapsedS = (Date.now() - started) / 1000;
  client.destroy();
  await peer.stop();
  const parts = results.reduce((n, r) => n + (r.status === "fulfilled" ? r.value.parts : 0), 0);
  const accepted = peer.delivered.map((s) => String(s.body.MessageBody));
  latencies.sort((a, b) => a - b);
  return {
    configuredPartsPerSecond: partsPerSecond,
    // The first second's burst is the bucket's allowance; the rate is what the backlog drains at.
    achievedPartsPerSecond: parts / elapsedS,
    parts,
    throttledAtPeer: peer.sends.filter((s) => s.answer === "ThrottlingException").length,
    failedToCaller: results.filter((r) => r.status === "rejected").length,
    duplicates: accepted.length - new Set(accepted).size,
    p50: latencies[Math.floor(latencies.length / 2)] ?? NaN,
    p99: latencies[Math.floor(latencies.length * 0.99)] ?? NaN,
  };
}
