import { deliveryEvent } from "../support/events";
import { CONFIGURATION_SET, E2eStack, OUR_NUMBER } from "../support/e2eStack";

const PATIENT = "+14255550123";
const e2e = new E2eStack();

beforeAll(() => e2e.start(), 60_000);
afterAll(() => e2e.stop());

describe("end to end through moto's SNS, the End User Messaging contract peer and DynamoDB", () => {
  it("flow 1+2: slots go out, the patient's reply arrives through SNS, delivery through EventBridge", async () => {
    const started = await e2e.agent("POST", "/v1/conversations", {
      to: PATIENT,
      slots: ["Tue 3:00 PM", "Wed 9:30 AM", "Thu 1:00 PM"],
      intro: "Dr. Lee's office: choose a time.",
    });
    expect(started.status).toBe(201);
    const { conversationId, messageId } = (await started.json()) as {
      conversationId: string;
      messageId: string;
    };

    const send = e2e.peer.delivered.find((s) => s.messageId === messageId)!;
    expect(send.target).toBe("PinpointSMSVoiceV2.SendTextMessage");
    expect(send.body).toMatchObject({
      DestinationPhoneNumber: PATIENT,
      OriginationIdentity: OUR_NUMBER,
      ConfigurationSetName: CONFIGURATION_SET,
      MessageType: "TRANSACTIONAL",
      MessageBody:
        "Dr. Lee's office: choose a time.\n1. Tue 3:00 PM\n2. Wed 9:30 AM\n3. Thu 1:00 PM",
      Context: { conversationId, requestId: expect.any(String) },
    });
    expect(e2e.peer.invalid).toEqual([]);

    await e2e.patientTexts(PATIENT, "2", { previousPublishedMessageId: messageId });
    const delivered = await e2e.deliveryEvent(
      deliveryEvent(messageId, "DELIVERED", true, Date.now()),
    );
    expect(await delivered.json()).toEqual({ status: "recorded" });

    const view = await (await e2e.agent("GET", `/v1/conversations/${conversationId}`)).json();
    expect(view).toMatchObject({
      status: "replied",
      selectedSlot: { number: 2, label: "Wed 9:30 AM" },
      replies: [{ text: "2" }],
      delivery: { status: "DELIVERED", final: true },
    });
  });

  it("flow 3: STOP, HELP and START from the patient; an opted-out number reported by the peer", async () => {
    const patient = "+14255550124";
    const { conversationId } = (await (
      await e2e.agent("POST", "/v1/conversations", { to: patient, slots: ["Mon 9 AM"] })
    ).json()) as {
      conversationId: string;
    };
    await e2e.patientTexts(patient, "HELP");
    await e2e.patientTexts(patient, "stop");
    expect(
      await (await e2e.agent("GET", `/v1/conversations/${conversationId}`)).json(),
    ).toMatchObject({ status: "opted_out" });
    const refused = await e2e.agent("POST", "/v1/messages", { to: patient, body: "still there?" });
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ code: "PATIENT_OPTED_OUT" });
    await e2e.patientTexts(patient, "START");
    expect(
      (await e2e.agent("POST", "/v1/messages", { to: patient, body: "welcome back" })).status,
    ).toBe(202);

    const listed = "+14255550125";
    e2e.peer.modes.optedOut = new Set([listed]);
    const viaPeer = await e2e.agent("POST", "/v1/messages", { to: listed, body: "hello" });
    expect(viaPeer.status).toBe(409);
    expect(await viaPeer.json()).toMatchObject({ code: "DESTINATION_OPTED_OUT" });
    e2e.peer.modes.optedOut = undefined;
    // mirrored locally: the next send is refused before reaching End User Messaging
    const before = e2e.peer.sends.length;
    expect(
      await (await e2e.agent("POST", "/v1/messages", { to: listed, body: "hello" })).json(),
    ).toMatchObject({ code: "PATIENT_OPTED_OUT" });
    expect(e2e.peer.sends.length).toBe(before);
  });

  it("maps the spend limit and the peer's failures to clear answers, with nothing sent twice", async () => {
    e2e.peer.modes.spendLimitReached = true;
    const spend = await e2e.agent("POST", "/v1/messages", {
      to: PATIENT,
      body: "x",
      idempotencyKey: "spend-1",
    });
    expect(spend.status).toBe(503);
    expect(await spend.json()).toMatchObject({ code: "SPEND_LIMIT_REACHED" });
    e2e.peer.modes.spendLimitReached = false;

    e2e.peer.modes.failNext = 1;
    const first = await e2e.agent("POST", "/v1/messages", {
      to: PATIENT,
      body: "reminder",
      idempotencyKey: "fail-1",
    });
    expect(first.status).toBe(502);
    const before = e2e.peer.sends.length;
    const retry = await e2e.agent("POST", "/v1/messages", {
      to: PATIENT,
      body: "reminder",
      idempotencyKey: "fail-1",
    });
    expect(retry.status).toBe(409);
    expect(e2e.peer.sends.length).toBe(before);
  });

  it("logs no phone number and no message body in the whole run", () => {
    const log = e2e.runtime.output.join("\n");
    expect(log).toContain("inbound sms recorded");
    for (const secret of [
      "4255550123",
      "4255550124",
      "4255550125",
      "Tue 3:00 PM",
      "Dr. Lee",
      "still there?",
      "welcome back",
    ]) {
      expect(log).not.toContain(secret);
    }
  });
});
