import type { Pacing } from "../../runtime/src/outbound/ratePacer";
import { countSegments } from "../../runtime/src/sms/segments";
import type { RecordedSend } from "./smsVoicePeer";

/** One SendTextMessage the End User Messaging peer received, in the terms a fault test counts. */
export interface PeerAttempt {
  /** Destination and body: what makes a send the patient would notice twice. */
  key: string;
  at: number;
  parts: number;
  accepted: boolean;
  messageId?: string;
}

/** The key a fault test gives each of its sends, and the peer ledger counts by. */
export const sendKey = (to: string, body: string): string => `${to}\u0000${body}`;

/** The peer's SendTextMessage calls (not its describe calls), in the order they arrived. */
export function peerAttempts(sends: readonly RecordedSend[]): PeerAttempt[] {
  return sends
    .filter((s) => s.target.endsWith(".SendTextMessage"))
    .map((s) => {
      const body = String(s.body.MessageBody ?? "");
      return {
        key: sendKey(String(s.body.DestinationPhoneNumber ?? ""), body),
        at: s.at,
        parts: countSegments(body).parts,
        accepted: s.answer === "ok",
        ...(s.messageId ? { messageId: s.messageId } : {}),
      };
    });
}

/**
 * The most parts in any one-second window, with the window the peer's throttle uses: a call at
 * `t` counts every call in (t - windowMs, t].
 */
export function maxPartsInAnyWindow(
  attempts: readonly Pick<PeerAttempt, "at" | "parts">[],
  windowMs = 1000,
): number {
  const sorted = [...attempts].sort((a, b) => a.at - b.at);
  let max = 0;
  let sum = 0;
  let first = 0;
  for (const attempt of sorted) {
    sum += attempt.parts;
    while (attempt.at - sorted[first]!.at >= windowMs) {
      sum -= sorted[first]!.parts;
      first += 1;
    }
    max = Math.max(max, sum);
  }
  return max;
}

/** The accepted calls per send key, with End User Messaging's ids the peer gave them. */
export function acceptedByKey(attempts: readonly PeerAttempt[]): Map<string, string[]> {
  const byKey = new Map<string, string[]>();
  for (const attempt of attempts) {
    if (!attempt.accepted) continue;
    byKey.set(attempt.key, [...(byKey.get(attempt.key) ?? []), attempt.messageId ?? ""]);
  }
  return byKey;
}

/** `achievedPartsPerSecond`'s `firstInstantMs` for a pacing: half a window in bursts, else 0. */
export function firstInstantMsFor({ slotMs, windowMs }: Pacing): number {
  return slotMs === 0 ? windowMs / 2 : 0;
}

/**
 * Accepted parts per second while the calls flowed: the parts after the first accepted call over
 * the time from it to the last. N calls spaced d apart span (N - 1) * d, so the first call's parts
 * are the ones the span does not pay for (50 calls 20 ms apart: 49 parts in 0.98 s, 50/s). Adding a
 * whole second to the span instead (as this did) read 1,000 calls at 46.5/s as 44.4/s. Calls all
 * in one instant have no span: their parts are answered as one second's worth. A pacer sending in
 * bursts (`pacingFor`'s `slotMs` 0) puts several calls at each window's start: `firstInstantMs`
 * says how long after the first call the calls still belong to its instant (half a window), so
 * the span pays for none of them either.
 */
export function achievedPartsPerSecond(
  attempts: readonly PeerAttempt[],
  firstInstantMs = 0,
): number {
  const accepted = attempts.filter((a) => a.accepted).sort((a, b) => a.at - b.at);
  const first = accepted[0];
  const last = accepted[accepted.length - 1];
  if (first === undefined || last === undefined) return 0;
  const parts = accepted.reduce((n, a) => n + a.parts, 0);
  const spanMs = last.at - first.at;
  if (spanMs <= 0) return parts;
  const atFirst = accepted.filter((a) => a.at - first.at <= firstInstantMs);
  return (parts - atFirst.reduce((n, a) => n + a.parts, 0)) / (spanMs / 1000);
}
