/**
 * The one payload both engines carry, in the queue message and in a schedule's input: the send's
 * id and nothing else (the destination and text stay in the store, so no PHI leaves it).
 */

const SEND_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

export function queueMessageBody(sendId: string): string {
  assertSendId(sendId);
  return JSON.stringify({ sendId });
}

/** The send id in a body, or undefined when the body is not `{"sendId": "..."}`. */
export function parseQueueMessageBody(body: string | undefined): string | undefined {
  if (body === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return undefined;
  const keys = Object.keys(parsed);
  const sendId = (parsed as { sendId?: unknown }).sendId;
  if (keys.length !== 1 || typeof sendId !== "string" || !SEND_ID.test(sendId)) return undefined;
  return sendId;
}

/**
 * Send ids are `send-<uuid>`; anything shaped otherwise (a phone number, free text) is refused
 * before it reaches a queue, so a caller's mistake cannot put PHI into a message or a schedule.
 */
export function assertSendId(sendId: string): void {
  if (!SEND_ID.test(sendId) || /^\+?\d[\d\s().-]{6,}$/.test(sendId)) {
    throw new TypeError(
      "sendId must be an opaque id of letters, digits and -_.: (1-128 characters), e.g. send-<uuid>",
    );
  }
}

/** Delays the interface allows for `retryLater`: 0 to 15 minutes, as SQS's own delay. */
export function assertRetryDelay(delayMs: number, maxMs: number): void {
  if (!Number.isFinite(delayMs) || delayMs < 0 || delayMs > maxMs) {
    throw new RangeError(`retryLater delayMs must be between 0 and ${maxMs}; got ${delayMs}`);
  }
}
