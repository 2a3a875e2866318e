import { X509Certificate, type KeyObject } from "node:crypto";

/**
 * Returns the public key of the certificate at an already-validated SigningCertURL. `requester`
 * names where the message came from (the client address), so one source's forged deliveries
 * cannot spend the fetches that others' genuine deliveries need.
 */
export interface CertificateSource {
  publicKeyFor(url: URL, requester?: string): Promise<KeyObject>;
}

export class CertificateFetchError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "CertificateFetchError";
  }
}

export interface HttpsCertificateSourceOptions {
  now: () => Date;
  fetch?: typeof globalThis.fetch;
  timeoutMs?: number;
  maxEntries?: number;
  maxBytes?: number;
  /** How long a URL that failed is refused without a new request. */
  failureTtlMs?: number;
  /** Certificate fetches allowed per minute; misses beyond it are refused without a request. */
  maxFetchesPerMinute?: number;
  /**
   * Fetches one requester may cause per minute, within the global budget. Forged deliveries come
   * from wherever the forger sends them; genuine ones from SNS's many addresses.
   */
  maxFetchesPerRequesterPerMinute?: number;
  /**
   * Test-only (`SNS_CERT_FETCH_OVERRIDE`): fetch the same path from a local emulator that signs
   * with its own certificate. Config refuses it outside mock mode.
   */
  fetchOrigin?: string;
}

/**
 * Fetches signing certificates over HTTPS with a timeout, no redirects and a size cap, and keeps
 * the parsed public keys in a bounded cache. Concurrent misses for one URL share one fetch, so a
 * burst of deliveries after a certificate rotation makes a single request. Forged messages can
 * name any well-formed `sns.<region>.amazonaws.com/….pem`, so a URL that failed is refused for a
 * while without a new request, and fetches have a budget per minute: a flood of forged deliveries
 * cannot turn the service into a source of requests to AWS. So that forged traffic cannot use up
 * that budget either (a genuine delivery after a certificate rotation needs one fetch), each
 * requester has a small share of it. Refusals answer 503, so genuine SNS deliveries are retried and
 * succeed once the budget refills.
 */
export class HttpsCertificateSource implements CertificateSource {
  private readonly cache = new Map<string, Promise<KeyObject>>();
  private readonly failures = new Map<string, number>();
  private fetchTimes: number[] = [];
  private readonly fetchTimesByRequester = new Map<string, number[]>();
  private readonly fetchImpl: typeof globalThis.fetch;
  private readonly timeoutMs: number;
  private readonly maxEntries: number;
  private readonly maxBytes: number;

  constructor(private readonly options: HttpsCertificateSourceOptions) {
    this.fetchImpl = options.fetch ?? globalThis.fetch;
    this.timeoutMs = options.timeoutMs ?? 3000;
    this.maxEntries = options.maxEntries ?? 64;
    this.maxBytes = options.maxBytes ?? 16 * 1024;
  }

  publicKeyFor(url: URL, requester?: string): Promise<KeyObject> {
    const key = url.href;
    const cached = this.cache.get(key);
    if (cached) {
      // Refresh recency so the bound evicts the least recently used certificate.
      this.cache.delete(key);
      this.cache.set(key, cached);
      return cached;
    }
    const now = this.options.now().getTime();
    const failedUntil = this.failures.get(key);
    if (failedUntil !== undefined && failedUntil > now) {
      return Promise.reject(
        new CertificateFetchError("signing certificate failed recently; not fetched again yet"),
      );
    }
    this.fetchTimes = this.fetchTimes.filter((t) => now - t < 60_000);
    if (this.fetchTimes.length >= (this.options.maxFetchesPerMinute ?? 30)) {
      return Promise.reject(
        new CertificateFetchError("signing certificate fetch budget exhausted"),
      );
    }
    if (requester !== undefined) {
      const mine = (this.fetchTimesByRequester.get(requester) ?? []).filter(
        (t) => now - t < 60_000,
      );
      if (mine.length >= (this.options.maxFetchesPerRequesterPerMinute ?? 3)) {
        return Promise.reject(
          new CertificateFetchError("signing certificate fetch budget of this sender exhausted"),
        );
      }
      mine.push(now);
      // Re-inserted so the map stays in order of last use; bounded like the caches.
      this.fetchTimesByRequester.delete(requester);
      this.fetchTimesByRequester.set(requester, mine);
      while (this.fetchTimesByRequester.size > 10_000) {
        this.fetchTimesByRequester.delete(this.fetchTimesByRequester.keys().next().value as string);
      }
    }
    this.fetchTimes.push(now);
    const pending = this.load(url);
    this.cache.set(key, pending);
    pending.catch(() => {
      this.cache.delete(key);
      this.failures.set(key, this.options.now().getTime() + (this.options.failureTtlMs ?? 60_000));
      // Bounded like the cache: the oldest failures are forgotten first.
      while (this.failures.size > 1000)
        this.failures.delete(this.failures.keys().next().value as string);
    });
    while (this.cache.size > this.maxEntries) {
      const oldest = this.cache.keys().next().value as string;
      this.cache.delete(oldest);
    }
    return pending;
  }

  private async load(url: URL): Promise<KeyObject> {
    const target = this.options.fetchOrigin ? new URL(url.pathname, this.options.fetchOrigin) : url;
    const headers: Record<string, string> = {};
    if (this.options.fetchOrigin) {
      // moto routes unsigned GETs to its S3 backend; a dummy SigV4 header reaches SNS's cert route.
      headers.authorization =
        "AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/sns/aws4_request, SignedHeaders=host, Signature=00";
    }
    let response: Response;
    try {
      response = await this.fetchImpl(target, {
        headers,
        redirect: "error",
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new CertificateFetchError("signing certificate could not be fetched", { cause: err });
    }
    if (response.status !== 200) {
      throw new CertificateFetchError(`signing certificate fetch answered ${response.status}`);
    }
    const pem = await readCapped(response, this.maxBytes);
    return publicKeyFromPem(pem, this.options.now());
  }
}

/** Parses a PEM certificate and checks that it is an SNS certificate valid at `now`. */
export function publicKeyFromPem(pem: string, now: Date): KeyObject {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch (err) {
    throw new CertificateFetchError("signing certificate is not a PEM certificate", { cause: err });
  }
  if (!/(^|\n)CN=sns\.amazonaws\.com(\n|$)/.test(cert.subject)) {
    throw new CertificateFetchError("signing certificate is not issued to sns.amazonaws.com");
  }
  const t = now.getTime();
  if (t < Date.parse(cert.validFrom) || t > Date.parse(cert.validTo)) {
    throw new CertificateFetchError("signing certificate is outside its validity period");
  }
  return cert.publicKey;
}

async function readCapped(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw new CertificateFetchError("signing certificate is too large");
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new CertificateFetchError("signing certificate is too large");
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}
