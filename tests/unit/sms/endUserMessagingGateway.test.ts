import { PinpointSMSVoiceV2Client } from "@aws-sdk/client-pinpoint-sms-voice-v2";
import { EndUserMessagingGateway } from "../../../runtime/src/sms/endUserMessagingGateway";
import { SmsGatewayError } from "../../../runtime/src/sms/smsGateway";
import { SmsVoicePeer } from "../../support/smsVoicePeer";

const peer = new SmsVoicePeer();
let gateway: EndUserMessagingGateway;
/** Only for the peer that never answers: a short timeout is certain to fire there. */
let hangGateway: EndUserMessagingGateway;

// Sends that the peer answers get a generous timeout: a 300 ms one failed a send on a busy
// machine. The timeout test keeps its short one, as its peer never answers at all.
const client = (endpoint: string, requestTimeout: number) =>
  new PinpointSMSVoiceV2Client({
    region: "us-east-1",
    endpoint,
    maxAttempts: 1,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    requestHandler: { requestTimeout, throwOnRequestTimeout: true },
  });

beforeAll(async () => {
  const endpoint = await peer.start();
  gateway = new EndUserMessagingGateway(client(endpoint, 15_000));
  hangGateway = new EndUserMessagingGateway(client(endpoint, 300));
});
afterAll(async () => {
  gateway.destroy();
  hangGateway.destroy();
  await peer.stop();
});

const request = {
  destinationPhoneNumber: "+14255550100",
  body: "1. Tue 3:00 PM",
  originationIdentity: "+18445550100",
  configurationSetName: "eum-sms-dev",
  context: { conversationId: "c-1" },
};

describe("EndUserMessagingGateway over the real SDK", () => {
  it("sends SendTextMessage with the identity, configuration set, TRANSACTIONAL and context", async () => {
    const { messageId } = await gateway.sendText(request);
    const sent = peer.sends.at(-1)!;
    expect(sent.target).toBe("PinpointSMSVoiceV2.SendTextMessage");
    expect(sent.body).toEqual({
      DestinationPhoneNumber: "+14255550100",
      MessageBody: "1. Tue 3:00 PM",
      OriginationIdentity: "+18445550100",
      ConfigurationSetName: "eum-sms-dev",
      MessageType: "TRANSACTIONAL",
      Context: { conversationId: "c-1" },
    });
    expect(messageId).toBe(sent.messageId);
    expect(peer.invalid).toEqual([]);
  });

  it("is held to AWS's service model by the peer", async () => {
    const tooMuchContext = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`k${i}`, "v"]));
    await expect(gateway.sendText({ ...request, context: tooMuchContext })).rejects.toMatchObject({
      kind: "rejected",
    });
    expect(peer.invalid.at(-1)?.problems).toEqual(["$.Context: more than 5 entries"]);
  });

  it.each([
    [400, "ThrottlingException", undefined, "throttled"],
    [400, "ConflictException", "DESTINATION_PHONE_NUMBER_OPTED_OUT", "opted_out"],
    [400, "ConflictException", "RESOURCE_NOT_ACTIVE", "rejected"],
    [400, "ServiceQuotaExceededException", "MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT", "spend_limit"],
    [400, "ServiceQuotaExceededException", "DAILY_DESTINATION_CALL_LIMIT", "quota_exceeded"],
    [400, "ValidationException", "INVALID_PARAMETER", "rejected"],
    [400, "AccessDeniedException", "ACCOUNT_DISABLED", "rejected"],
    [500, "InternalServerException", undefined, "unknown"],
  ] as const)("classifies %i %s/%s as %s", async (status, type, reason, kind) => {
    peer.script({ kind: "error", status, type, ...(reason ? { reason } : {}) });
    const err = await gateway.sendText(request).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SmsGatewayError);
    expect(err).toMatchObject({ kind, awsCode: reason ? `${type}/${reason}` : type });
  });

  it("treats a timeout as an unknown outcome and does not retry it", async () => {
    const before = peer.sends.length;
    peer.script({ kind: "hang" });
    await expect(hangGateway.sendText(request)).rejects.toMatchObject({ kind: "unknown" });
    expect(peer.sends.length - before).toBe(1);
  });
});
