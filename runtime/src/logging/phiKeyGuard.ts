import { serializeError } from "./errorSerializer";

/**
 * The last net under the allow-list serializers: a log object's fields named like PHI or a secret
 * are censored wherever they sit, at any depth, under any casing the code and AWS use. It replaces
 * pino's wildcard `redact`, which only looked one level down, missed the AWS SDK's casing
 * (`DestinationPhoneNumber`, `MessageBody`) and cost a third of a request's logging CPU.
 *
 * It fails closed: a field nested deeper than it looks is censored whole, as are bytes and objects
 * that print themselves (`toJSON`, but for dates); an Error anywhere is reduced to what
 * `serializeError` keeps (a message can quote a number). Values are never
 * inspected, only keys: PHI inside a string (the SNS `Message` JSON, free text) is kept out by
 * the allow-list serializers and by never logging such strings, not here.
 */
export const CENSOR = "[redacted]";
export const TOO_DEEP = "[redacted: nested too deep]";

/** Below this many levels the guard stops looking and censors: log objects are flat. */
const MAX_DEPTH = 4;

const PHI_OR_SECRET_KEYS: ReadonlySet<string> = new Set([
  // HTTP: headers carry the API key and bearer token; bodies carry numbers and texts.
  "headers",
  "authorization",
  "body",
  "Body",
  "payload",
  // message texts as the service, SNS, End User Messaging and the agent API name them
  "messageBody",
  "MessageBody",
  "message_body",
  "text",
  "intro",
  "slots",
  "Message",
  // phone numbers
  "to",
  "To",
  "from",
  "phoneNumber",
  "PhoneNumber",
  "originationNumber",
  "destinationNumber",
  "DestinationPhoneNumber",
  "OriginationPhoneNumber",
  // SNS subscription secrets
  "SubscribeURL",
  "Token",
]);

/**
 * Keys whose values pino hands to the allow-list serializers (`logger.ts`), which keep only safe
 * fields: the guard leaves them to those, at the top level only.
 */
const SERIALIZED_KEYS: ReadonlySet<string> = new Set(["req", "res", "err"]);

/**
 * Returns `fields` itself when nothing in it needs censoring (the common case costs one look per
 * key and no allocation); otherwise a copy with each offending value replaced.
 */
export function censorPhiKeys(fields: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  for (const key in fields) {
    if (!Object.prototype.hasOwnProperty.call(fields, key)) continue;
    const value = fields[key];
    const safe = SERIALIZED_KEYS.has(key) ? value : censorField(key, value, 1);
    if (safe !== value) {
      out ??= { ...fields };
      out[key] = safe;
    }
  }
  return out ?? fields;
}

function censorField(key: string, value: unknown, depth: number): unknown {
  if (PHI_OR_SECRET_KEYS.has(key)) return value === undefined ? value : CENSOR;
  if (value === null || typeof value !== "object") return value;
  if (value instanceof Error) return serializeError(value);
  // Bytes and objects that stringify themselves (toJSON) would print what the guard never saw.
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return CENSOR;
  if (!(value instanceof Date) && typeof (value as { toJSON?: unknown }).toJSON === "function") {
    return CENSOR;
  }
  if (depth >= MAX_DEPTH) return TOO_DEEP;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i += 1) {
      const safe = censorField("", value[i], depth + 1);
      if (safe !== value[i]) {
        copy ??= [...(value as unknown[])];
        copy[i] = safe;
      }
    }
    return copy ?? value;
  }
  let copy: Record<string, unknown> | undefined;
  const record = value as Record<string, unknown>;
  for (const inner in record) {
    if (!Object.prototype.hasOwnProperty.call(record, inner)) continue;
    const safe = censorField(inner, record[inner], depth + 1);
    if (safe !== record[inner]) {
      copy ??= { ...record };
      copy[inner] = safe;
    }
  }
  return copy ?? value;
}
