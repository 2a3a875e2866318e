import { ACMClient, DescribeCertificateCommand } from "@aws-sdk/client-acm";
import type { StackConfig } from "../stackConfig";
import { couldNotCheck, errorName, missing, ok, type Finding } from "./finding";

const CHECK = "ACM certificate";

/** Whether a certificate name (possibly `*.example.org`) covers `host`. */
export function certificateCovers(name: string, host: string): boolean {
  const n = name.toLowerCase();
  const h = host.toLowerCase();
  if (!n.startsWith("*.")) return n === h;
  // A wildcard covers exactly one label: *.example.org covers a.example.org, not a.b.example.org.
  const dot = h.indexOf(".");
  return dot > 0 && h.slice(dot + 1) === n.slice(2);
}

/** The load balancer's listener needs an ISSUED certificate for domainName in the stack's region. */
export async function checkCertificate(acm: ACMClient, config: StackConfig): Promise<Finding> {
  const arn = config.certificateArn;
  const arnRegion = arn.split(":")[3];
  if (arnRegion !== config.region) {
    return missing(
      CHECK,
      `certificateArn is in ${arnRegion}, the stack in ${config.region}`,
      `request or import a certificate for ${config.domainName} in ${config.region} (aws acm request-certificate --region ${config.region} --domain-name ${config.domainName} --validation-method DNS) and set certificateArn to it`,
    );
  }
  let certificate;
  try {
    certificate = (await acm.send(new DescribeCertificateCommand({ CertificateArn: arn })))
      .Certificate;
  } catch (err) {
    if (errorName(err) === "ResourceNotFoundException") {
      return missing(
        CHECK,
        `no certificate ${arn} in this account`,
        `request one for ${config.domainName} (aws acm request-certificate --region ${config.region} --domain-name ${config.domainName} --validation-method DNS), validate it, and set certificateArn to its ARN`,
      );
    }
    return couldNotCheck(CHECK, "acm:DescribeCertificate", err);
  }
  // The subject alternative names repeat DomainName; list each name once.
  const names = [
    ...new Set(
      [certificate?.DomainName, ...(certificate?.SubjectAlternativeNames ?? [])].filter(
        (n): n is string => typeof n === "string",
      ),
    ),
  ];
  if (!names.some((n) => certificateCovers(n, config.domainName))) {
    return missing(
      CHECK,
      `${arn} is for ${names.join(", ") || "no name"}, not ${config.domainName}`,
      `request a certificate for ${config.domainName} and set certificateArn to it, or set domainName to a name the certificate covers`,
    );
  }
  if (certificate?.Status !== "ISSUED") {
    return missing(
      CHECK,
      `${arn} is ${certificate?.Status ?? "of unknown status"}, not ISSUED`,
      certificate?.Status === "PENDING_VALIDATION"
        ? "create the DNS validation record ACM shows for it (aws acm describe-certificate) and wait until it is ISSUED"
        : `request a new certificate for ${config.domainName} and set certificateArn to it`,
    );
  }
  return ok(CHECK, `${arn} is ISSUED for ${config.domainName}`);
}
