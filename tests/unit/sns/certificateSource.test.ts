import {
  CertificateFetchError,
  HttpsCertificateSource,
} from "../../../runtime/src/sns/certificateSource";
import { localSnsCa } from "../../support/snsSigner";

// The local certificate is minted when the tests start, so "now" must come after that.
const NOW = new Date(Date.now() + 60_000);
const url = (n: number) => new URL(`https://sns.us-east-1.amazonaws.com/cert-${n}.pem`);

function source(
  fetch: typeof globalThis.fetch,
  extra: { maxEntries?: number; timeoutMs?: number } = {},
) {
  return new HttpsCertificateSource({ now: () => NOW, fetch, ...extra });
}

describe("HttpsCertificateSource", () => {
  it("caches parsed keys, bounded, evicting the least recently used", async () => {
    const requests: string[] = [];
    const fetch = (async (input: string | URL | Request) => {
      requests.push(String(input));
      return new Response(localSnsCa().certPem);
    }) as typeof globalThis.fetch;
    const certs = source(fetch, { maxEntries: 2 });
    await certs.publicKeyFor(url(1));
    await certs.publicKeyFor(url(2));
    await certs.publicKeyFor(url(1)); // refreshes 1
    await certs.publicKeyFor(url(3)); // evicts 2
    await certs.publicKeyFor(url(1));
    await certs.publicKeyFor(url(2));
    expect(requests.map((r) => new URL(r).pathname)).toEqual([
      "/cert-1.pem",
      "/cert-2.pem",
      "/cert-3.pem",
      "/cert-2.pem",
    ]);
  });

  it("refuses redirects and non-200 answers, and retries a failed URL only after a while", async () => {
    const seen: RequestInit[] = [];
    let status = 404;
    let now = NOW.getTime();
    const fetch = (async (_input: string | URL | Request, init?: RequestInit) => {
      seen.push(init ?? {});
      return new Response(localSnsCa().certPem, { status });
    }) as typeof globalThis.fetch;
    const certs = new HttpsCertificateSource({
      now: () => new Date(now),
      fetch,
      failureTtlMs: 60_000,
    });
    await expect(certs.publicKeyFor(url(1))).rejects.toBeInstanceOf(CertificateFetchError);
    status = 200;
    await expect(certs.publicKeyFor(url(1))).rejects.toThrow("failed recently");
    expect(seen).toHaveLength(1);
    now += 61_000;
    await expect(certs.publicKeyFor(url(1))).resolves.toBeDefined();
    expect(seen[0]?.redirect).toBe("error");
    expect(seen[0]?.signal).toBeInstanceOf(AbortSignal);
  });

  it("spends at most its fetch budget on a flood of distinct forged URLs", async () => {
    let requests = 0;
    const fetch = (async () => {
      requests += 1;
      return new Response("missing", { status: 404 });
    }) as typeof globalThis.fetch;
    const certs = new HttpsCertificateSource({ now: () => NOW, fetch, maxFetchesPerMinute: 5 });
    const results = await Promise.allSettled(
      Array.from({ length: 100 }, (_, i) => certs.publicKeyFor(url(i))),
    );
    expect(results.every((r) => r.status === "rejected")).toBe(true);
    expect(requests).toBe(5);
  });

  it("gives up on a certificate host that does not answer in time", async () => {
    const fetch = ((_input: string | URL | Request, init?: RequestInit) =>
      new Promise((_resolve, reject) => {
        init?.signal?.addEventListener("abort", () => reject(init.signal?.reason));
      })) as typeof globalThis.fetch;
    await expect(source(fetch, { timeoutMs: 50 }).publicKeyFor(url(1))).rejects.toThrow(
      "could not be fetched",
    );
  });

  it("caps the size it reads", async () => {
    const huge = "x".repeat(64 * 1024);
    const fetch = (async () => new Response(huge)) as typeof globalThis.fetch;
    await expect(source(fetch).publicKeyFor(url(1))).rejects.toThrow("too large");
  });

  it("rejects a certificate not issued to sns.amazonaws.com, or expired", async () => {
    const { execFileSync } = await import("node:child_process");
    const pem = execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "/dev/null",
        "-days",
        "1",
        "-subj",
        "/CN=evil.example.com",
      ],
      { stdio: ["ignore", "pipe", "ignore"] },
    ).toString();
    const other = source((async () => new Response(pem)) as typeof globalThis.fetch);
    await expect(other.publicKeyFor(url(1))).rejects.toThrow("not issued to sns.amazonaws.com");
    const later = new HttpsCertificateSource({
      now: () => new Date("2099-01-01T00:00:00Z"),
      fetch: (async () => new Response(localSnsCa().certPem)) as typeof globalThis.fetch,
    });
    await expect(later.publicKeyFor(url(1))).rejects.toThrow("validity period");
  });

  it("reaches an emulator through the test-only fetch origin", async () => {
    const requests: { url: string; auth: string | null }[] = [];
    const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
      requests.push({ url: String(input), auth: new Headers(init?.headers).get("authorization") });
      return new Response(localSnsCa().certPem);
    }) as typeof globalThis.fetch;
    const certs = new HttpsCertificateSource({
      now: () => NOW,
      fetch,
      fetchOrigin: "http://127.0.0.1:4566",
    });
    await certs.publicKeyFor(url(7));
    expect(requests[0]?.url).toBe("http://127.0.0.1:4566/cert-7.pem");
    expect(requests[0]?.auth).toMatch(/^AWS4-HMAC-SHA256 /);
  });
});

describe("HttpsCertificateSource budget per sender (issue 9, finding 11)", () => {
  const GENUINE = url(999);
  const servingOnly = (good: URL) => {
    const requests: string[] = [];
    const fetch = (async (input: string | URL | Request) => {
      requests.push(String(input));
      return String(input) === good.href
        ? new Response(localSnsCa().certPem, { status: 200 })
        : new Response("missing", { status: 404 });
    }) as typeof globalThis.fetch;
    return { requests, fetch };
  };

  it("lets a genuine delivery fetch its new certificate after 40 forged deliveries", async () => {
    const { requests, fetch } = servingOnly(GENUINE);
    const certs = new HttpsCertificateSource({ now: () => NOW, fetch, maxFetchesPerMinute: 30 });
    const forged = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) => certs.publicKeyFor(url(i), "203.0.113.9")),
    );
    expect(forged.every((r) => r.status === "rejected")).toBe(true);
    await expect(certs.publicKeyFor(GENUINE, "54.240.197.1")).resolves.toBeDefined();
    // The forger's share was a few fetches, not the whole budget.
    expect(requests.length).toBeLessThanOrEqual(4);
  });

  it("still caps the total across senders", async () => {
    const { requests, fetch } = servingOnly(GENUINE);
    const certs = new HttpsCertificateSource({
      now: () => NOW,
      fetch,
      maxFetchesPerMinute: 10,
      maxFetchesPerRequesterPerMinute: 2,
    });
    await Promise.allSettled(
      Array.from({ length: 100 }, (_, i) => certs.publicKeyFor(url(i), `198.51.100.${i}`)),
    );
    expect(requests).toHaveLength(10);
  });

  it("gives a sender its share again after a minute", async () => {
    let now = NOW.getTime();
    const { requests, fetch } = servingOnly(GENUINE);
    const certs = new HttpsCertificateSource({
      now: () => new Date(now),
      fetch,
      maxFetchesPerRequesterPerMinute: 2,
    });
    await Promise.allSettled([1, 2, 3].map((i) => certs.publicKeyFor(url(i), "203.0.113.9")));
    expect(requests).toHaveLength(2);
    now += 61_000;
    await expect(certs.publicKeyFor(GENUINE, "203.0.113.9")).resolves.toBeDefined();
    expect(requests).toHaveLength(3);
  });
});
