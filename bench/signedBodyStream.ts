/**
 * An endless supply of unique, validly signed SNS inbound notifications for a load that lasts
 * minutes: worker threads sign batches ahead of need into a bounded buffer, and `next()` takes
 * one. A soak that reused a fixed pool would, once the pool is spent, exercise only the duplicate
 * path. RSA signing is the expensive part (a 2048-bit key signs about 3,000 a second on one core
 * here, 1024 bits about 11,000), so a soak at a few thousand requests a second signs with a
 * 1024-bit certificate: the service verifies any RSA key size, and its verify is ~13 µs cheaper
 * a request than with SNS's 2048-bit key (44,000 against 104,000 verifies a second here).
 *
 * When the buffer is empty, `next()` signs one in the calling thread and counts it in
 * `signedInline`: uniqueness always holds, and a count above zero says the load generator, not the
 * service, limited the rate for a moment.
 */
import { createPrivateKey, type KeyObject } from "node:crypto";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { signedInboundBodies } from "./benchServer";
import type { SigningRequest, SigningWorkerData } from "./signingWorker";

export interface SignedBodyStreamOptions {
  keyPem: string;
  /** Prefix of the inbound message ids and bodies: unique per run. */
  prefix: string;
  /** Worker threads signing (1). */
  workers?: number;
  /** Bodies a worker signs per request (500). */
  batch?: number;
  /** The buffer is refilled up to this many bodies (20,000). */
  highWater?: number;
}

export class SignedBodyStream {
  private readonly buffer: string[] = [];
  /** Index of the next body in `buffer` (consumed bodies are dropped in chunks). */
  private head = 0;
  private nextIndex = 0;
  private requested = 0;
  private readonly workers: Worker[];
  private readonly idle: Worker[];
  private readonly batch: number;
  private highWater: number;
  /** Workers allowed to sign at once (0 while paused). */
  private signing: number;
  private readonly key: KeyObject;
  private readonly prefix: string;
  private waiters: (() => void)[] = [];
  signedInline = 0;
  delivered = 0;

  constructor(options: SignedBodyStreamOptions) {
    this.batch = options.batch ?? 500;
    this.highWater = options.highWater ?? 20_000;
    this.key = createPrivateKey(options.keyPem);
    this.prefix = options.prefix;
    const data: SigningWorkerData = { keyPem: options.keyPem, prefix: options.prefix };
    this.workers = Array.from(
      { length: options.workers ?? 1 },
      () => new Worker(join(__dirname, "signingWorker.js"), { workerData: data }),
    );
    this.idle = [...this.workers];
    this.signing = this.workers.length;
    for (const worker of this.workers) {
      worker.on("message", (bodies: string[]) => {
        this.requested -= bodies.length;
        this.buffer.push(...bodies);
        this.idle.push(worker);
        this.refill();
        for (const w of this.waiters.splice(0)) w();
      });
    }
    this.refill();
  }

  /** Bodies signed and not yet taken. */
  get available(): number {
    return this.buffer.length - this.head;
  }

  /** Resolves once at least `count` bodies are buffered (before a phase at full load). */
  async fill(count: number): Promise<void> {
    while (this.available < Math.min(count, this.highWater)) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  next(): string {
    this.delivered += 1;
    let body: string;
    if (this.head < this.buffer.length) {
      body = this.buffer[this.head]!;
      this.head += 1;
      if (this.head >= 4096) {
        this.buffer.splice(0, this.head);
        this.head = 0;
      }
    } else {
      this.signedInline += 1;
      body = signedInboundBodies(1, this.prefix, { first: this.nextIndex, key: this.key })[0]!;
      this.nextIndex += 1;
    }
    this.refill();
    return body;
  }

  /** No more signing (while the service runs at full load: the signing would take its CPU). */
  pause(): void {
    this.signing = 0;
  }

  /** Signing again, by at most `workers` threads at once, up to `highWater` bodies. */
  resume(options: { workers: number; highWater: number }): void {
    this.signing = Math.min(options.workers, this.workers.length);
    this.highWater = options.highWater;
    this.refill();
  }

  private refill(): void {
    while (
      this.workers.length - this.idle.length < this.signing &&
      this.idle.length > 0 &&
      this.available + this.requested < this.highWater
    ) {
      const worker = this.idle.pop()!;
      const request: SigningRequest = { first: this.nextIndex, count: this.batch };
      this.nextIndex += this.batch;
      this.requested += this.batch;
      worker.postMessage(request);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
