import { createServer, request, type Server } from "node:http";

/**
 * A loopback HTTP proxy in front of the DynamoDB emulator that can lose answers: the request
 * reaches the emulator and is applied, then the client's connection is dropped before the
 * answer, as when a network path fails after DynamoDB committed. The SDK then retries a write
 * that already happened.
 */
export class LossyHttpProxy {
  private server: Server | undefined;
  /** X-Amz-Target operations (e.g. "PutItem") whose next answers are lost, with a count. */
  private readonly toLose = new Map<string, number>();
  lost = 0;

  constructor(private readonly target: URL) {}

  loseNextAnswers(operation: string, count: number): void {
    this.toLose.set(operation, (this.toLose.get(operation) ?? 0) + count);
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const operation = String(req.headers["x-amz-target"] ?? "").split(".")[1] ?? "";
        const upstream = request(
          {
            host: this.target.hostname,
            port: Number(this.target.port),
            method: req.method,
            path: req.url,
            headers: req.headers,
          },
          (answer) => {
            const body: Buffer[] = [];
            answer.on("data", (c: Buffer) => body.push(c));
            answer.on("end", () => {
              const remaining = this.toLose.get(operation) ?? 0;
              if (remaining > 0 && (answer.statusCode ?? 500) < 300) {
                this.toLose.set(operation, remaining - 1);
                this.lost += 1;
                req.socket.destroy();
                return;
              }
              res.writeHead(answer.statusCode ?? 502, answer.headers);
              res.end(Buffer.concat(body));
            });
          },
        );
        upstream.on("error", () => req.socket.destroy());
        upstream.end(Buffer.concat(chunks));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }
}
