import type { KeyObject } from "node:crypto";
import {
  CertificateFetchError,
  publicKeyFromPem,
  type CertificateSource,
} from "../../runtime/src/sns/certificateSource";

/** Serves fixed PEMs by URL and records every URL it was asked for. */
export class StaticCertificateSource implements CertificateSource {
  readonly requested: string[] = [];

  constructor(
    private readonly pemByUrl: ReadonlyMap<string, string>,
    private readonly now: () => Date,
  ) {}

  async publicKeyFor(url: URL): Promise<KeyObject> {
    this.requested.push(url.href);
    const pem = this.pemByUrl.get(url.href);
    if (pem === undefined) throw new CertificateFetchError("no certificate for that URL");
    return publicKeyFromPem(pem, this.now());
  }
}
