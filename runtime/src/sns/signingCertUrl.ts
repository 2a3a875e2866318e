import { snsDnsSuffix } from "./snsMessage";

/**
 * Decides, without any network request, whether a SigningCertURL may be fetched at all. The URL is
 * attacker-controlled, so everything is pinned: HTTPS, the default port, no userinfo, query or
 * fragment, one `.pem` path segment, and the host `sns.<region>.<suffix>` where <region> looks like
 * a region and equals the topic's, and <suffix> is the one of the topic's partition
 * (`amazonaws.com`, or `amazonaws.com.cn` for `aws-cn`). That last rule also refuses `sns.s3-<region>...`, the
 * legacy S3 host of a bucket named "sns" that looser host patterns accept.
 */

const SNS_HOST = /^sns\.([a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d{1,2})\.(amazonaws\.com(?:\.cn)?)$/;
const PEM_PATH = /^\/[A-Za-z0-9._-]{1,200}\.pem$/;

export type CertUrlCheck = { ok: true; url: URL } | { ok: false; reason: string };

export function checkSigningCertUrl(
  raw: string,
  expectedRegion: string,
  expectedPartition: string,
): CertUrlCheck {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: "SigningCertURL is not a URL" };
  }
  if (url.protocol !== "https:") return { ok: false, reason: "SigningCertURL is not HTTPS" };
  if (url.username !== "" || url.password !== "") {
    return { ok: false, reason: "SigningCertURL carries credentials" };
  }
  if (url.port !== "") return { ok: false, reason: "SigningCertURL names a port" };
  // `raw` is checked too: URL normalises away a bare "?" or "#".
  if (url.search !== "" || url.hash !== "" || /[?#]/.test(raw)) {
    return { ok: false, reason: "SigningCertURL has a query or fragment" };
  }
  const host = SNS_HOST.exec(url.hostname);
  if (!host) return { ok: false, reason: "SigningCertURL host is not sns.<region>.amazonaws.com" };
  if (host[1] !== expectedRegion) {
    return { ok: false, reason: "SigningCertURL region differs from the topic's" };
  }
  if (host[2] !== snsDnsSuffix(expectedPartition)) {
    return { ok: false, reason: "SigningCertURL domain is not the topic partition's" };
  }
  if (!PEM_PATH.test(url.pathname)) {
    return { ok: false, reason: "SigningCertURL path is not a single .pem file" };
  }
  return { ok: true, url };
}
