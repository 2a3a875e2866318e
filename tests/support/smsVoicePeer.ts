import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { countSegments } from "../../runtime/src/sms/segments";

/** What the peer answers to the next SendTextMessage calls, in order; then it follows its modes. */
export type PeerOutcome =
  | { kind: "ok" }
  | { kind: "error"; status: number; type: string; reason?: string }
  | { kind: "hang" };

export interface RecordedSend {
  target: string;
  body: Record<string, unknown>;
  at: number;
  messageId?: string;
  /** What the peer answered: "ok" or the exception's type. */
  answer: string;
}

interface Shape {
  type: string;
  required?: string[];
  members?: Record<string, { shape: string }>;
  key?: { shape: string };
  value?: { shape: string };
  member?: { shape: string };
  min?: number;
  max?: number;
  pattern?: string;
  enum?: string[];
}
interface ServiceModel {
  metadata: { targetPrefix: string };
  operations: Record<string, { input?: { shape: string } }>;
  shapes: Record<string, Shape>;
}

let model: ServiceModel | undefined;

/** AWS's own service model for pinpoint-sms-voice-v2, from python3's botocore. */
export function smsVoiceModel(): ServiceModel {
  if (model) return model;
  const botocore = execFileSync(
    "python3",
    ["-c", "import botocore, os; print(os.path.dirname(botocore.__file__))"],
    {
      encoding: "utf8",
    },
  ).trim();
  const file = join(botocore, "data", "pinpoint-sms-voice-v2", "2022-03-31", "service-2.json.gz");
  model = JSON.parse(gunzipSync(readFileSync(file)).toString("utf8")) as ServiceModel;
  return model;
}

/** Every way `value` breaks shape `name` of the model, as "path: problem" lines. */
export function validateAgainstModel(name: string, value: unknown, path = "$"): string[] {
  const shape = smsVoiceModel().shapes[name];
  if (!shape) return [`${path}: unknown shape ${name}`];
  switch (shape.type) {
    case "structure": {
      if (typeof value !== "object" || value === null || Array.isArray(value))
        return [`${path}: not an object`];
      const v = value as Record<string, unknown>;
      const problems = (shape.required ?? [])
        .filter((k) => v[k] === undefined)
        .map((k) => `${path}.${k}: required`);
      for (const [k, member] of Object.entries(v)) {
        const m = shape.members?.[k];
        if (!m) problems.push(`${path}.${k}: not in the model`);
        else problems.push(...validateAgainstModel(m.shape, member, `${path}.${k}`));
      }
      return problems;
    }
    case "string": {
      if (typeof value !== "string") return [`${path}: not a string`];
      const problems: string[] = [];
      if (shape.min !== undefined && value.length < shape.min)
        problems.push(`${path}: shorter than ${shape.min}`);
      if (shape.max !== undefined && value.length > shape.max)
        problems.push(`${path}: longer than ${shape.max}`);
      if (shape.pattern && !new RegExp(shape.pattern, "u").test(value))
        problems.push(`${path}: does not match ${shape.pattern}`);
      if (shape.enum && !shape.enum.includes(value))
        problems.push(`${path}: not one of ${shape.enum.join(", ")}`);
      return problems;
    }
    case "boolean":
      return typeof value === "boolean" ? [] : [`${path}: not a boolean`];
    case "integer":
    case "long":
      return Number.isInteger(value) &&
        (shape.min === undefined || (value as number) >= shape.min) &&
        (shape.max === undefined || (value as number) <= shape.max)
        ? []
        : [`${path}: not an integer in range`];
    case "map": {
      if (typeof value !== "object" || value === null) return [`${path}: not a map`];
      const entries = Object.entries(value as Record<string, unknown>);
      const problems: string[] = [];
      if (shape.max !== undefined && entries.length > shape.max)
        problems.push(`${path}: more than ${shape.max} entries`);
      for (const [k, v] of entries) {
        problems.push(
          ...validateAgainstModel(shape.key!.shape, k, `${path}[key]`),
          ...validateAgainstModel(shape.value!.shape, v, `${path}.${k}`),
        );
      }
      return problems;
    }
    case "list":
      return Array.isArray(value)
        ? value.flatMap((v, i) => validateAgainstModel(shape.member!.shape, v, `${path}[${i}]`))
        : [`${path}: not a list`];
    default:
      return [];
  }
}

export interface PeerModes {
  /** Answer ThrottlingException above this many message parts per second. */
  throttleAbovePartsPerSecond?: number;
  /** Destination numbers on the opt-out list: ConflictException DESTINATION_PHONE_NUMBER_OPTED_OUT. */
  optedOut?: Set<string>;
  /** ServiceQuotaExceededException MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT. */
  spendLimitReached?: boolean;
  /** Answer 500 InternalServerException to this many of the next calls. */
  failNext?: number;
}

/**
 * A loopback End User Messaging peer for contract tests: speaks the pinpoint-sms-voice-v2
 * awsJson1_0 protocol, validates every request against AWS's service model, and can throttle,
 * refuse opted-out numbers, hit the spend limit or fail, so the real
 * `@aws-sdk/client-pinpoint-sms-voice-v2` client is exercised end to end.
 */
export class SmsVoicePeer {
  readonly sends: RecordedSend[] = [];
  readonly invalid: { target: string; problems: string[] }[] = [];
  readonly modes: PeerModes = {};
  private readonly outcomes: PeerOutcome[] = [];
  private server: Server | undefined;
  private window: { at: number; parts: number }[] = [];

  /** Answers to operations other than SendTextMessage (the describe calls of preflight). */
  private readonly answers = new Map<string, { status: number; body: unknown }>();

  /**
   * Answer every `operation` call with `output`, checked first against the operation's output
   * shape in AWS's model, so a test cannot stage an answer the real service would never give.
   */
  answer(operation: string, output: Record<string, unknown>): void {
    const shape = (smsVoiceModel().operations[operation] as { output?: { shape: string } })?.output
      ?.shape;
    if (!shape) throw new Error(`peer: ${operation} is not an operation with output`);
    const problems = validateAgainstModel(shape, output);
    if (problems.length > 0)
      throw new Error(`peer: answer to ${operation} breaks the model: ${problems.join("; ")}`);
    this.answers.set(operation, { status: 200, body: output });
  }

  /** Answer every `operation` call with this error (e.g. AccessDeniedException). */
  answerError(operation: string, type: string, status = 400): void {
    this.answers.set(operation, this.error(type, status));
  }

  script(...outcomes: PeerOutcome[]): void {
    this.outcomes.push(...outcomes);
  }

  /** Sends the peer accepted (a MessageId was returned). */
  get delivered(): RecordedSend[] {
    return this.sends.filter((s) => s.answer === "ok");
  }

  async start(): Promise<string> {
    // Read AWS's model now (a python3 call), not inside the first request a client times.
    smsVoiceModel();
    this.server = createServer((req, res) => {
      void this.handle(req).then(({ status, body }) => {
        if (status === 0) return; // hang: never answer
        res.writeHead(status, { "content-type": "application/x-amz-json-1.0" });
        res.end(JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }

  private error(type: string, status = 400, reason?: string) {
    return {
      status,
      body: { __type: type, message: `peer: ${type}`, ...(reason ? { Reason: reason } : {}) },
    };
  }

  /** The opt-out list holds `modes.optedOut`; asked for numbers, it answers only those listed. */
  private describeOptedOut(body: Record<string, unknown>): { status: number; body: unknown } {
    const listed = [...(this.modes.optedOut ?? [])];
    const asked = Array.isArray(body.OptedOutNumbers) ? (body.OptedOutNumbers as string[]) : null;
    const numbers = asked ? listed.filter((n) => asked.includes(n)) : listed;
    return {
      status: 200,
      body: {
        OptOutListArn: `arn:aws:sms-voice:us-east-1:123456789012:opt-out-list/${String(body.OptOutListName)}`,
        OptOutListName: body.OptOutListName,
        OptedOutNumbers: numbers.map((n) => ({
          OptedOutNumber: n,
          OptedOutTimestamp: Math.floor(Date.now() / 1000),
          EndUserOptedOut: true,
        })),
      },
    };
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; body: unknown }> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers["x-amz-target"] ?? "");
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Record<string, unknown>;
    } catch {
      return this.error("ValidationException");
    }
    const recorded: RecordedSend = { target, body, at: Date.now(), answer: "ok" };
    this.sends.push(recorded);
    const answer = (r: { status: number; body: unknown }) => {
      recorded.answer = (r.body as { __type?: string }).__type ?? "ok";
      return r;
    };

    const m = smsVoiceModel();
    const operation = target.startsWith(`${m.metadata.targetPrefix}.`)
      ? target.slice(m.metadata.targetPrefix.length + 1)
      : "";
    const input = m.operations[operation]?.input?.shape;
    if (!input) return answer(this.error("UnknownOperationException"));
    if (!req.headers.authorization?.startsWith("AWS4-HMAC-SHA256 "))
      return answer(this.error("AccessDeniedException"));
    const problems = validateAgainstModel(input, body);
    if (problems.length > 0) {
      this.invalid.push({ target, problems });
      return answer(this.error("ValidationException"));
    }
    const canned = this.answers.get(operation);
    if (canned) return answer(canned);
    if (operation === "DescribeOptedOutNumbers") return answer(this.describeOptedOut(body));
    if (operation !== "SendTextMessage") return answer({ status: 200, body: {} });

    const scripted = this.outcomes.shift();
    if (scripted?.kind === "hang") return { status: 0, body: null };
    if (scripted?.kind === "error")
      return answer(this.error(scripted.type, scripted.status, scripted.reason));
    if (this.modes.failNext && this.modes.failNext > 0) {
      this.modes.failNext -= 1;
      return answer(this.error("InternalServerException", 500));
    }
    if (this.modes.optedOut?.has(String(body.DestinationPhoneNumber))) {
      return answer(this.error("ConflictException", 400, "DESTINATION_PHONE_NUMBER_OPTED_OUT"));
    }
    if (this.modes.spendLimitReached) {
      return answer(
        this.error("ServiceQuotaExceededException", 400, "MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT"),
      );
    }
    const limit = this.modes.throttleAbovePartsPerSecond;
    if (limit !== undefined) {
      // The instant the call is recorded at, so a count over `sends` sees what the throttle saw.
      const now = recorded.at;
      this.window = this.window.filter((w) => now - w.at < 1000);
      const parts = countSegments(String(body.MessageBody ?? "")).parts;
      if (this.window.reduce((n, w) => n + w.parts, 0) + parts > limit)
        return answer(this.error("ThrottlingException"));
      this.window.push({ at: now, parts });
    }
    recorded.messageId = randomUUID();
    return { status: 200, body: { MessageId: recorded.messageId } };
  }
}
