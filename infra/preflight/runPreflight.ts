import { ACMClient } from "@aws-sdk/client-acm";
import { EC2Client } from "@aws-sdk/client-ec2";
import { PinpointSMSVoiceV2Client } from "@aws-sdk/client-pinpoint-sms-voice-v2";
import { Route53Client } from "@aws-sdk/client-route-53";
import { ServiceQuotasClient } from "@aws-sdk/client-service-quotas";
import type { StackConfig } from "../stackConfig";
import { checkCertificate } from "./certificate";
import type { Finding } from "./finding";
import { checkHostedZone } from "./hostedZone";
import { checkRegistration, checkSandbox, checkSpendLimit } from "./messaging";
import { checkExistingVpc, checkVpcQuota } from "./network";

export interface PreflightClients {
  acm: ACMClient;
  route53: Route53Client;
  ec2: EC2Client;
  quotas: ServiceQuotasClient;
  sms: PinpointSMSVoiceV2Client;
}

/** Options every client shares: the region, and for tests an endpoint and credentials. */
export interface ClientOptions {
  region: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/**
 * Read-only clients for the stack's region. Without `endpoint` and `credentials` the SDK's default
 * chain applies: the user's own profile, environment or SSO session (and AWS_ENDPOINT_URL_* if set).
 */
export function preflightClients(
  options: ClientOptions,
  smsOptions: Partial<ClientOptions> = {},
): PreflightClients {
  const sms = { ...options, ...smsOptions };
  return {
    acm: new ACMClient(options),
    route53: new Route53Client(options),
    ec2: new EC2Client(options),
    quotas: new ServiceQuotasClient(options),
    sms: new PinpointSMSVoiceV2Client(sms),
  };
}

/** Every check the stack's configuration calls for, each independent of the others. */
export async function runPreflight(
  config: StackConfig,
  clients: PreflightClients,
): Promise<Finding[]> {
  const results = await Promise.all([
    checkCertificate(clients.acm, config),
    checkHostedZone(clients.route53, config),
    checkSandbox(clients.sms, config),
    checkSpendLimit(clients.sms, config),
    checkRegistration(clients.sms, config),
    checkExistingVpc(clients.ec2, config),
    checkVpcQuota(clients.ec2, clients.quotas, config),
  ]);
  return results.flat().filter((f): f is Finding => f !== undefined);
}

export function destroyClients(clients: PreflightClients): void {
  for (const client of Object.values(clients)) client.destroy();
}

/** The report: one line per finding, the fix under each one that needs it. */
export function renderFindings(stack: string, findings: Finding[]): string {
  const mark = { ok: "ok     ", missing: "MISSING", note: "note   " } as const;
  const lines = findings.map(
    (f) => `${mark[f.status]} ${f.check}: ${f.detail}${f.fix ? `\n        fix: ${f.fix}` : ""}`,
  );
  const count = findings.filter((f) => f.status === "missing").length;
  lines.push(
    count === 0
      ? `preflight of ${stack}: everything pulumi up needs is in place`
      : `preflight of ${stack}: ${count} missing; fix ${count === 1 ? "it" : "them"} before pulumi up`,
  );
  return lines.join("\n");
}
