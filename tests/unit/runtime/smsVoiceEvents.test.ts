import { parseSmsVoiceEvent } from "../../../runtime/src/eventbridge/smsVoiceEvents";
import { deliveryEvent, registrationEvent } from "../../support/events";

describe("parseSmsVoiceEvent", () => {
  it("reads a delivery status event as AWS documents it", () => {
    expect(
      parseSmsVoiceEvent(deliveryEvent("ed23196c-75ce-4727-93ee-7bf72b64998f", "SUCCESSFUL", true)),
    ).toEqual({
      kind: "delivery",
      eventId: expect.any(String),
      messageId: "ed23196c-75ce-4727-93ee-7bf72b64998f",
      status: "SUCCESSFUL",
      final: true,
      at: "2025-10-01T18:20:41.377Z",
    });
  });

  it("reads a registration status change", () => {
    expect(parseSmsVoiceEvent(registrationEvent("registration-abc", "COMPLETE"))).toMatchObject({
      kind: "registration",
      registrationId: "registration-abc",
      status: "COMPLETE",
    });
  });

  it("ignores other detail-types and sources", () => {
    expect(
      parseSmsVoiceEvent({
        ...deliveryEvent("m", "SUCCESSFUL", true),
        "detail-type": "Voice Message Delivery Status Updated",
      }),
    ).toMatchObject({ kind: "ignored" });
    expect(
      parseSmsVoiceEvent({ ...deliveryEvent("m", "SUCCESSFUL", true), source: "aws.s3" }),
    ).toMatchObject({ kind: "ignored" });
  });

  it.each([
    ["no detail", { ...deliveryEvent("m", "x", true), detail: undefined }],
    ["no messageId", { ...deliveryEvent("m", "x", true), detail: { messageStatus: "x" } }],
    ["no id", { ...deliveryEvent("m", "x", true), id: undefined }],
    [
      "no registrationId",
      { ...registrationEvent("r", "COMPLETE"), detail: { registrationDetails: {} } },
    ],
  ])("rejects an event with %s", (_what, event) => {
    expect(() => parseSmsVoiceEvent(event)).toThrow(expect.objectContaining({ statusCode: 400 }));
  });
});
