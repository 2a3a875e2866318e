import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ACMClient,
  ImportCertificateCommand,
  RequestCertificateCommand,
} from "@aws-sdk/client-acm";
import { CreateSubnetCommand, CreateVpcCommand, EC2Client } from "@aws-sdk/client-ec2";
import { CreateHostedZoneCommand, Route53Client } from "@aws-sdk/client-route-53";
import { loadStackFile } from "../../infra/review/mockProgram";
import { preflightMain } from "../../infra/preflight/main";
import { preflightClients } from "../../infra/preflight/runPreflight";
import type { StackConfig } from "../../infra/stackConfig";
import { startEmulator, type Emulator } from "../support/motoServer";
import { SmsVoicePeer } from "../support/smsVoicePeer";

// Read-only checks against moto (ACM, Route 53, EC2, Service Quotas) and the End User Messaging
// contract peer (the describe calls moto does not serve), each in a region no other test uses.
const credentials = { accessKeyId: "testing", secretAccessKey: "testing" };
const DOMAIN = "sms.preflight-test.example.org";
const REGISTRATION = "registration-0123456789abcdef0123456789abcdef";

let moto: Emulator;
const peer = new SmsVoicePeer();
let peerEndpoint: string;
const tmp = mkdtempSync(join(tmpdir(), "eum-preflight-"));

beforeAll(async () => {
  moto = await startEmulator();
  peerEndpoint = await peer.start();
});
afterAll(async () => {
  await peer.stop();
  await moto.stop();
  rmSync(tmp, { recursive: true, force: true });
});

const awsClient = <T>(Client: new (o: object) => T, region: string) =>
  new Client({ region, endpoint: moto.endpoint, credentials });

/** A self-signed certificate for `names` (first is the subject), as an ACM import takes it. */
function selfSigned(names: string[]): { cert: Buffer; key: Buffer } {
  const base = join(tmp, `c${Math.random().toString(36).slice(2)}`);
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "30",
      "-keyout",
      `${base}.key`,
      "-out",
      `${base}.pem`,
      "-subj",
      `/CN=${names[0]}`,
      "-addext",
      `subjectAltName=${names.map((n) => `DNS:${n}`).join(",")}`,
    ],
    { stdio: "pipe" },
  );
  return { cert: readFileSync(`${base}.pem`), key: readFileSync(`${base}.key`) };
}

async function importedCertificate(region: string, names = [DOMAIN]): Promise<string> {
  const { cert, key } = selfSigned(names);
  const out = await awsClient(ACMClient, region).send(
    new ImportCertificateCommand({ Certificate: cert, PrivateKey: key }),
  );
  return out.CertificateArn!;
}

async function hostedZone(region: string, name: string): Promise<string> {
  const out = await awsClient(Route53Client, region).send(
    new CreateHostedZoneCommand({ Name: name, CallerReference: `${name}-${Date.now()}` }),
  );
  return out.HostedZone!.Id!.replace("/hostedzone/", "");
}

/** A VPC with a public and a private subnet in each of two zones. */
async function existingVpc(region: string) {
  const ec2 = awsClient(EC2Client, region);
  const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.77.0.0/16" }))).Vpc!.VpcId!;
  const subnet = async (cidr: string, zone: string) =>
    (
      await ec2.send(
        new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr, AvailabilityZone: zone }),
      )
    ).Subnet!.SubnetId!;
  return {
    vpcId,
    publicSubnetIds: [
      await subnet("10.77.0.0/24", `${region}a`),
      await subnet("10.77.1.0/24", `${region}b`),
    ],
    privateSubnetIds: [
      await subnet("10.77.2.0/24", `${region}a`),
      await subnet("10.77.3.0/24", `${region}b`),
    ],
  };
}

/** The peer as a production account with a $2000 spend limit and the approved 10DLC campaign. */
function healthyMessagingAccount(): void {
  peer.answer("DescribeAccountAttributes", {
    AccountAttributes: [{ Name: "ACCOUNT_TIER", Value: "PRODUCTION" }],
  });
  peer.answer("DescribeSpendLimits", {
    SpendLimits: [
      {
        Name: "TEXT_MESSAGE_MONTHLY_SPEND_LIMIT",
        EnforcedLimit: 2000,
        MaxLimit: 5000,
        Overridden: true,
      },
      {
        Name: "VOICE_MESSAGE_MONTHLY_SPEND_LIMIT",
        EnforcedLimit: 1,
        MaxLimit: 1,
        Overridden: false,
      },
    ],
  });
  peer.answer("DescribeRegistrations", {
    Registrations: [registration("COMPLETE")],
  });
}

function registration(status: string, type = "US_TEN_DLC_CAMPAIGN_REGISTRATION") {
  return {
    RegistrationArn: `arn:aws:sms-voice:us-east-1:111122223333:registration/${REGISTRATION}`,
    RegistrationId: REGISTRATION,
    RegistrationType: type,
    RegistrationStatus: status,
    CurrentVersionNumber: 1,
    CreatedTimestamp: 1764000000,
  };
}

/** The prod stack file, pointed at what the test made, in `region`. */
function prodConfig(region: string, overrides: Record<string, string | undefined>): StackConfig {
  return { ...loadStackFile("prod", { registrationId: REGISTRATION, ...overrides }), region };
}

async function run(config: StackConfig, argv = ["--stack", "prod"]) {
  const lines: string[] = [];
  const code = await preflightMain(argv, {
    out: (text) => lines.push(text),
    loadConfig: () => config,
    clients: (region) =>
      preflightClients(
        { region, endpoint: moto.endpoint, credentials },
        { endpoint: peerEndpoint },
      ),
  });
  return { code, output: lines.join("\n") };
}

/** A prod stack where everything is in place, in `region`. */
async function healthyProd(region: string, overrides: Record<string, string | undefined> = {}) {
  healthyMessagingAccount();
  const vpc = await existingVpc(region);
  return prodConfig(region, {
    certificateArn: await importedCertificate(region),
    hostedZoneId: await hostedZone(region, "preflight-test.example.org"),
    vpcId: vpc.vpcId,
    publicSubnetIds: JSON.stringify(vpc.publicSubnetIds),
    privateSubnetIds: JSON.stringify(vpc.privateSubnetIds),
    domainName: DOMAIN,
    ...overrides,
  });
}

const missingLines = (output: string) => output.split("\n").filter((l) => l.startsWith("MISSING"));

describe("npm run preflight", () => {
  beforeEach(() => healthyMessagingAccount());

  it("passes (exit 0) when everything the stack needs is in place", async () => {
    const { code, output } = await run(await healthyProd("eu-west-1"));
    expect(missingLines(output)).toEqual([]);
    expect(output).toMatch(
      /^ok +ACM certificate: .* is ISSUED for sms\.preflight-test\.example\.org$/m,
    );
    expect(output).toMatch(/^ok +Route 53 hosted zone: /m);
    expect(output).toMatch(/^ok +End User Messaging account tier: account tier PRODUCTION$/m);
    expect(output).toMatch(/^ok +End User Messaging text spend limit: US\$2000 /m);
    expect(output).toMatch(/^ok +End User Messaging registration: .* is COMPLETE$/m);
    expect(output).toMatch(/^ok +existing VPC: vpc-/m);
    expect(output).toMatch(/everything pulumi up needs is in place$/);
    expect(code).toBe(0);
    // The calls preflight made were all valid requests by AWS's own model.
    expect(peer.invalid).toEqual([]);
  });

  it("reports a certificate that does not exist, with how to get one", async () => {
    const config = await healthyProd("eu-west-2", {
      certificateArn:
        "arn:aws:acm:eu-west-2:123456789012:certificate/11111111-2222-3333-4444-555555555555",
    });
    const { code, output } = await run({ ...config, region: "eu-west-2" });
    expect(code).toBe(1);
    expect(missingLines(output)).toEqual([
      expect.stringMatching(
        /^MISSING ACM certificate: no certificate arn:aws:acm:eu-west-2:.* in this account$/,
      ),
    ]);
    expect(output).toContain(
      `fix: request one for ${DOMAIN} (aws acm request-certificate --region eu-west-2 --domain-name ${DOMAIN} --validation-method DNS)`,
    );
    expect(output).toMatch(/1 missing; fix it before pulumi up$/);
  });

  it("reports a certificate still pending validation, for another name, or in another region", async () => {
    const region = "eu-central-1";
    const acm = awsClient(ACMClient, region);
    const pending = (
      await acm.send(new RequestCertificateCommand({ DomainName: DOMAIN, ValidationMethod: "DNS" }))
    ).CertificateArn!;
    let result = await run(await healthyProd(region, { certificateArn: pending }));
    expect(result.code).toBe(1);
    expect(missingLines(result.output)).toEqual([
      expect.stringMatching(/^MISSING ACM certificate: .* is PENDING_VALIDATION, not ISSUED$/),
    ]);
    expect(result.output).toContain("fix: create the DNS validation record ACM shows");

    const other = await importedCertificate(region, ["other.example.org"]);
    result = await run(await healthyProd(region, { certificateArn: other }));
    expect(missingLines(result.output)).toEqual([
      `MISSING ACM certificate: ${other} is for other.example.org, not ${DOMAIN}`,
    ]);

    const wildcard = await importedCertificate(region, ["*.preflight-test.example.org"]);
    result = await run(await healthyProd(region, { certificateArn: wildcard }));
    expect(missingLines(result.output)).toEqual([]);

    const elsewhere = await importedCertificate("us-west-2");
    result = await run(await healthyProd(region, { certificateArn: elsewhere }));
    expect(missingLines(result.output)).toEqual([
      "MISSING ACM certificate: certificateArn is in us-west-2, the stack in eu-central-1",
    ]);
  });

  it("reports a hosted zone that does not exist or does not hold the domain", async () => {
    const region = "eu-north-1";
    let result = await run(await healthyProd(region, { hostedZoneId: "Z0000000000NOSUCHZONE" }));
    expect(result.code).toBe(1);
    expect(missingLines(result.output)).toEqual([
      "MISSING Route 53 hosted zone: no hosted zone Z0000000000NOSUCHZONE in this account",
    ]);
    expect(result.output).toContain("fix: set hostedZoneId to the id of the public zone");

    const unrelated = await hostedZone(region, "unrelated.example.net");
    result = await run(await healthyProd(region, { hostedZoneId: unrelated }));
    expect(missingLines(result.output)).toEqual([
      `MISSING Route 53 hosted zone: zone ${unrelated} is unrelated.example.net, which does not hold ${DOMAIN}`,
    ]);

    // Without hostedZoneId the stack is refused before any check: one `up` needs the record.
    await expect(healthyProd(region, { hostedZoneId: undefined })).rejects.toThrow(
      "eum-sms-stack:hostedZoneId is required",
    );
  });

  it("reports the SMS sandbox for a real number, and only notes it for a simulator", async () => {
    const region = "ap-southeast-2";
    const config = await healthyProd(region);
    peer.answer("DescribeAccountAttributes", {
      AccountAttributes: [{ Name: "ACCOUNT_TIER", Value: "SANDBOXED" }],
    });
    let result = await run(config);
    expect(result.code).toBe(1);
    expect(missingLines(result.output)).toEqual([
      "MISSING End User Messaging account tier: account tier SANDBOXED: End User Messaging is in the SMS sandbox: a TEN_DLC number could send only to verified destination numbers",
    ]);
    expect(result.output).toContain("fix: request production access");

    const simulator = {
      ...config,
      phoneNumber: { ...config.phoneNumber, type: "SIMULATOR" as const },
    };
    result = await run(simulator);
    expect(result.code).toBe(0);
    expect(result.output).toMatch(
      /^note +End User Messaging account tier: .*fine for a SIMULATOR number/m,
    );
  });

  it("reports a spend limit below the stack's budget, with the override or the increase to ask for", async () => {
    const region = "ap-southeast-1";
    const config = await healthyProd(region);
    peer.answer("DescribeSpendLimits", {
      SpendLimits: [
        {
          Name: "TEXT_MESSAGE_MONTHLY_SPEND_LIMIT",
          EnforcedLimit: 1,
          MaxLimit: 5000,
          Overridden: false,
        },
      ],
    });
    let result = await run(config);
    expect(result.code).toBe(1);
    expect(missingLines(result.output)).toEqual([
      "MISSING End User Messaging text spend limit: sending stops at US$1 a month, below smsMonthlyBudgetUsd (US$2000)",
    ]);
    expect(result.output).toContain(
      "fix: raise it: aws pinpoint-sms-voice-v2 set-text-message-spend-limit-override --region ap-southeast-1 --monthly-limit 2000",
    );

    peer.answer("DescribeSpendLimits", {
      SpendLimits: [
        {
          Name: "TEXT_MESSAGE_MONTHLY_SPEND_LIMIT",
          EnforcedLimit: 1,
          MaxLimit: 100,
          Overridden: false,
        },
      ],
    });
    result = await run(config);
    expect(result.output).toContain(
      "request an increase of the account's SMS monthly spend limit (now US$100)",
    );
  });

  it("reports a registration that is missing, not approved or of the wrong kind", async () => {
    const region = "ca-central-1";
    const config = await healthyProd(region);
    peer.answer("DescribeRegistrations", { Registrations: [] });
    let result = await run(config);
    expect(result.code).toBe(1);
    expect(missingLines(result.output)).toEqual([
      `MISSING End User Messaging registration: no registration ${REGISTRATION} in this account and region`,
    ]);

    peer.answer("DescribeRegistrations", { Registrations: [registration("AWS_REVIEWING")] });
    result = await run(config);
    expect(missingLines(result.output)).toEqual([
      `MISSING End User Messaging registration: registration ${REGISTRATION} is AWS_REVIEWING, not COMPLETE`,
    ]);
    expect(result.output).toContain("fix: wait for the carriers' approval");

    peer.answer("DescribeRegistrations", {
      Registrations: [registration("COMPLETE", "US_TOLL_FREE_REGISTRATION")],
    });
    result = await run(config);
    expect(missingLines(result.output)).toEqual([
      `MISSING End User Messaging registration: registration ${REGISTRATION} is a US_TOLL_FREE_REGISTRATION, not one for a TEN_DLC number`,
    ]);
    // The peer checked each DescribeRegistrations against the model, with the id asked for.
    const asked = peer.sends.filter((s) => s.target.endsWith(".DescribeRegistrations"));
    expect(asked.at(-1)?.body).toEqual({ RegistrationIds: [REGISTRATION] });
  });

  it("reports an existing VPC or subnets that are not there", async () => {
    const region = "sa-east-1";
    const config = await healthyProd(region);
    if (config.network.kind !== "existing") throw new Error("expected an existing VPC");
    let result = await run({
      ...config,
      network: { ...config.network, vpcId: "vpc-0123456789abcdef0" },
    });
    expect(result.code).toBe(1);
    expect(missingLines(result.output)).toEqual([
      `MISSING existing VPC: no VPC vpc-0123456789abcdef0 in ${region}`,
    ]);

    const privateSubnetIds = [config.network.privateSubnetIds[0]!, "subnet-0000000000000dead"];
    result = await run({ ...config, network: { ...config.network, privateSubnetIds } });
    expect(missingLines(result.output)).toEqual([
      `MISSING existing VPC: privateSubnetIds: subnet-0000000000000dead not found in ${config.network.vpcId}`,
    ]);

    const oneZone = [config.network.publicSubnetIds[0]!, config.network.privateSubnetIds[0]!];
    result = await run({ ...config, network: { ...config.network, publicSubnetIds: oneZone } });
    expect(missingLines(result.output)).toEqual([
      "MISSING existing VPC: publicSubnetIds are all in one Availability Zone",
    ]);
  });

  it("reports a full VPCs-per-Region quota when the stack creates its VPC", async () => {
    const region = "ap-northeast-3";
    const config = await healthyProd(region, {
      vpcId: undefined,
      publicSubnetIds: undefined,
      privateSubnetIds: undefined,
    });
    // healthyProd made one VPC beside moto's default one; fill the default quota of 5.
    let result = await run(config);
    expect(result.output).toMatch(/^ok +quota: VPCs per Region: 2 of 5 in use/m);
    const ec2 = awsClient(EC2Client, region);
    for (let i = 0; i < 3; i++)
      await ec2.send(new CreateVpcCommand({ CidrBlock: `10.${90 + i}.0.0/16` }));
    result = await run(config);
    expect(result.code).toBe(1);
    expect(missingLines(result.output)).toEqual([
      `MISSING quota: VPCs per Region: 5 of 5 VPCs in ${region} are in use; the stack creates one more`,
    ]);
    expect(result.output).toContain("--service-code vpc --quota-code L-F678F1CE --desired-value 6");
  });

  it("reports what it could not check instead of passing blind", async () => {
    const config = await healthyProd("us-east-2");
    peer.answerError("DescribeSpendLimits", "AccessDeniedException");
    const result = await run(config);
    expect(result.code).toBe(1);
    expect(missingLines(result.output)).toEqual([
      expect.stringMatching(
        /^MISSING End User Messaging text spend limit: could not check: sms-voice:DescribeSpendLimits failed \(AccessDeniedException/,
      ),
    ]);
    expect(result.output).toContain(
      "fix: run preflight with credentials allowed sms-voice:DescribeSpendLimits in this account and region",
    );
  });

  it("answers usage and unknown stacks plainly", async () => {
    const lines: string[] = [];
    expect(await preflightMain([], { out: (t) => lines.push(t) })).toBe(2);
    expect(await preflightMain(["--stack", "nosuchstack"], { out: (t) => lines.push(t) })).toBe(1);
    expect(lines).toEqual([
      "usage: npm run preflight -- --stack <name>   (reads Pulumi.<name>.yaml)",
      "preflight of nosuchstack failed: Pulumi.nosuchstack.yaml not found",
    ]);
  });
});
