import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** What the peer answers to the next SendTextMessage calls, in order; then success. */
export type PeerOutcome =
  | { kind: "ok" }
  | { kind: "error"; status: number; type: string; reason?: string }
  | { kind: "hang" };

export interface RecordedSend {
  target: string;
  body: Record<string, unknown>;
  messageId?: string;
}

/**
 * A loopback HTTP peer speaking the `pinpoint-sms-voice-v2` awsJson1_0 protocol, so the real
 * `@aws-sdk/client-pinpoint-sms-voice-v2` client is exercised end to end (serialisation, error
 * deserialisation, timeouts) without AWS.
 */
export class SmsVoicePeer {
  readonly sends: RecordedSend[] = [];
  private readonly outcomes: PeerOutcome[] = [];
  private server: Server | undefined;

  script(...outcomes: PeerOutcome[]): void {
    this.outcomes.push(...outcomes);
  }

  async start(): Promise<string> {
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
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; body: unknown }> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers["x-amz-target"] ?? "");
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Record<
      string,
      unknown
    >;
    const recorded: RecordedSend = { target, body };
    this.sends.push(recorded);
    const outcome = this.outcomes.shift() ?? { kind: "ok" };
    if (outcome.kind === "hang") return { status: 0, body: null };
    if (outcome.kind === "error") {
      return {
        status: outcome.status,
        body: {
          __type: outcome.type,
          message: "scripted failure",
          ...(outcome.reason ? { Reason: outcome.reason } : {}),
        },
      };
    }
    recorded.messageId = randomUUID();
    return { status: 200, body: { MessageId: recorded.messageId } };
  }
}
