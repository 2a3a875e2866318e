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

/**
 * Accepted parts per second over the busy span: from the first accepted call to the last, with
 * the last call's second counted (n calls in one instant are n parts in one second, not infinity).
 */
export function achievedPartsPerSecond(attempts: readonly PeerAttempt[]): number {
  const accepted = attempts.filter((a) => a.accepted);
  if (accepted.length === 0) return 0;
  const first = Math.min(...accepted.map((a) => a.at));
  const last = Math.max(...accepted.map((a) => a.at));
  const parts = accepted.reduce((n, a) => n + a.parts, 0);
  return parts / ((last - first) / 1000 + 1);
}
