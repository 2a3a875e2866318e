import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { PinpointSMSVoiceV2Client } from "@aws-sdk/client-pinpoint-sms-voice-v2";
import { createLogger } from "../../../runtime/src/logging/logger";
import { NumberReadinessCheck } from "../../../runtime/src/sms/numberReadiness";
import { SmsVoicePeer } from "../../support/smsVoicePeer";
import Fastify from "fastify";
import { registerHealthRoutes } from "../../../runtime/src/routes/health";
import type { ConversationStore } from "../../../runtime/src/store/conversationStore";
import type { NumberReadiness } from "../../../runtime/src/sms/numberReadiness";

const NUMBER_ARN = "arn:aws:sms-voice:us-east-1:123456789012:phone-number/phone-0123456789abcdef";
const TOPIC = "arn:aws:sns:us-east-1:123456789012:eum-sms-dev-inbound-sms";

function client(endpoint: string) {
  return new PinpointSMSVoiceV2Client({
    region: "us-east-1",
    endpoint,
    maxAttempts: 1,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
}

function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({
    level: "info",
    destination: new Writable({
      write(chunk, _enc, done) {
        lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
        done();
      },
    }),
  });
  return { log, lines };
}

/** Answers DescribePhoneNumbers with what the test sets, as End User Messaging's JSON protocol does. */
class DescribeNumbersServer {
  answer: { status: number; body: unknown } = { status: 200, body: { PhoneNumbers: [] } };
  private server: Server | undefined;
  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        res.writeHead(this.answer.status, { "content-type": "application/x-amz-json-1.0" });
        res.end(JSON.stringify(this.answer.body));
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, "127.0.0.1", r));
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }
  async stop() {
    await new Promise<void>((r) => this.server!.close(() => r()));
  }
}

const number = (overrides: Record<string, unknown>) => ({
  PhoneNumberArn: NUMBER_ARN,
  PhoneNumberId: "phone-0123456789abcdef",
  PhoneNumber: "+12065550100",
  Status: "ACTIVE",
  IsoCountryCode: "US",
  MessageType: "TRANSACTIONAL",
  NumberCapabilities: ["SMS"],
  NumberType: "TOLL_FREE",
  MonthlyLeasingPrice: "2.00",
  TwoWayEnabled: true,
  TwoWayChannelArn: TOPIC,
  SelfManagedOptOutsEnabled: false,
  OptOutListName: "Default",
  DeletionProtectionEnabled: false,
  CreatedTimestamp: 1_700_000_000,
  ...overrides,
});

describe("NumberReadinessCheck", () => {
  it("asks End User Messaging with a request its service model accepts", async () => {
    const peer = new SmsVoicePeer();
    const endpoint = await peer.start();
    try {
      const { log } = capturingLogger();
      const check = new NumberReadinessCheck({
        client: client(endpoint),
        phoneNumberId: NUMBER_ARN,
        inboundTopicArn: TOPIC,
        log,
      });
      const state = await check.refresh();
      expect(peer.sends.map((s) => [s.target, s.body])).toEqual([
        ["PinpointSMSVoiceV2.DescribePhoneNumbers", { PhoneNumberIds: [NUMBER_ARN] }],
      ]);
      expect(peer.invalid).toEqual([]);
      // The peer answers {}: no such number.
      expect(state).toMatchObject({ checked: true, ready: false, error: "NumberNotFound" });
    } finally {
      await peer.stop();
    }
  });

  describe("reads the number's state", () => {
    const server = new DescribeNumbersServer();
    let endpoint: string;
    beforeAll(async () => {
      endpoint = await server.start();
    });
    afterAll(() => server.stop());

    const check = () => {
      const { log, lines } = capturingLogger();
      return {
        lines,
        check: new NumberReadinessCheck({
          client: client(endpoint),
          phoneNumberId: NUMBER_ARN,
          inboundTopicArn: TOPIC,
          log,
          now: () => new Date("2026-11-25T12:00:00Z"),
        }),
      };
    };

    it("ready: ACTIVE, two-way on, delivering to the inbound topic", async () => {
      server.answer = { status: 200, body: { PhoneNumbers: [number({})] } };
      const { check: c, lines } = check();
      expect(await c.refresh()).toEqual({
        checked: true,
        ready: true,
        status: "ACTIVE",
        twoWayEnabled: true,
        twoWayToInboundTopic: true,
        checkedAt: "2026-11-25T12:00:00.000Z",
      });
      expect(lines.map((l) => l.msg)).toEqual(["origination number ready"]);
      // Never the number itself in a log line.
      expect(JSON.stringify(lines)).not.toContain("2065550100");
    });

    it.each([
      [{ Status: "PENDING", TwoWayEnabled: false, TwoWayChannelArn: undefined }, "PENDING", false],
      [{ TwoWayChannelArn: "arn:aws:sns:us-east-1:123456789012:other" }, "ACTIVE", false],
    ])("not ready: %j", async (overrides, status, toTopic) => {
      server.answer = { status: 200, body: { PhoneNumbers: [number(overrides)] } };
      const { check: c, lines } = check();
      expect(await c.refresh()).toMatchObject({
        checked: true,
        ready: false,
        status,
        twoWayToInboundTopic: toTopic,
      });
      expect(lines).toEqual([
        expect.objectContaining({ level: 40, numberReady: false, numberStatus: status }),
      ]);
    });

    it("keeps the last known state and names the error when the call fails, logging only changes", async () => {
      server.answer = { status: 200, body: { PhoneNumbers: [number({})] } };
      const { check: c, lines } = check();
      await c.refresh();
      await c.refresh();
      expect(lines).toHaveLength(1);
      server.answer = {
        status: 400,
        body: { __type: "AccessDeniedException", message: "denied" },
      };
      expect(await c.refresh()).toMatchObject({
        ready: true,
        status: "ACTIVE",
        error: "AccessDeniedException",
      });
      expect(lines).toHaveLength(2);
    });

    it("tells its listeners after every check, changed, unchanged or failed", async () => {
      server.answer = { status: 200, body: { PhoneNumbers: [number({ Status: "PENDING" })] } };
      const { check: c, lines } = check();
      const seen: (string | undefined)[] = [];
      c.onChecked(() => {
        throw new Error("a faulty listener");
      });
      c.onChecked((state) => seen.push(state.error ?? state.status));
      await c.refresh();
      await c.refresh();
      server.answer = { status: 400, body: { __type: "ThrottlingException", message: "slow" } };
      await c.refresh();
      expect(seen).toEqual(["PENDING", "PENDING", "ThrottlingException"]);
      // The faulty listener is logged and does not stop the others or the check.
      expect(lines.filter((l) => l.msg === "a number readiness listener failed")).toHaveLength(3);
    });
  });

  it("is shown on /readyz without failing readiness", async () => {
    const app = Fastify();
    const state: NumberReadiness = { checked: true, ready: false, status: "PENDING" };
    registerHealthRoutes(app, {
      store: { ping: async () => undefined } as unknown as ConversationStore,
      lifecycle: { shuttingDown: false },
      numberReadiness: { current: () => state },
    });
    const base = await app.listen({ port: 0, host: "127.0.0.1" });
    const res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ready", number: state });
    await app.close();
  });
});
