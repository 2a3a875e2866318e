import {
  MAX_EVENT_FUTURE_SKEW_MS,
  parseSmsVoiceEvent as parseAt,
} from "../../../runtime/src/eventbridge/smsVoiceEvents";
import { deliveryEvent, registrationEvent } from "../../support/events";

const NOW = new Date("2026-01-01T00:00:00Z");
const parseSmsVoiceEvent = (body: unknown) => parseAt(body, { now: NOW });

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

  it.each([
    ["far in the future", 1e20],
    ["far in the past", -1e16],
    ["just past the Date range", 8.64e15 + 1],
  ])("answers 400 (not a 500 that is retried) for an event time %s", (_what, eventTimestamp) => {
    const event = deliveryEvent("m", "DELIVERED", true, eventTimestamp);
    expect(() => parseSmsVoiceEvent(event)).toThrow(
      expect.objectContaining({ statusCode: 400, code: "INVALID_EVENT" }),
    );
  });

  it("answers 400 for an out-of-range registration time", () => {
    const event = registrationEvent("r", "COMPLETE");
    event.detail.registrationDetails.registrationStatusChangeTimestamp = 1e20;
    expect(() => parseSmsVoiceEvent(event)).toThrow(expect.objectContaining({ statusCode: 400 }));
  });

  it("refuses an event dated beyond the allowed skew, and accepts one within it", () => {
    const ahead = (ms: number) =>
      parseSmsVoiceEvent(deliveryEvent("m", "DELIVERED", true, NOW.getTime() + ms));
    expect(() => ahead(MAX_EVENT_FUTURE_SKEW_MS + 1)).toThrow(
      expect.objectContaining({ statusCode: 400 }),
    );
    expect(() => ahead(253402300799000 - NOW.getTime())).toThrow(
      expect.objectContaining({ statusCode: 400 }),
    );
    expect(ahead(MAX_EVENT_FUTURE_SKEW_MS - 1000)).toMatchObject({ kind: "delivery" });
  });

  it("refuses an envelope time dated far ahead when the detail has none", () => {
    const event = { ...deliveryEvent("m", "DELIVERED", true), time: "9999-12-31T00:00:00Z" };
    delete (event.detail as { eventTimestamp?: number }).eventTimestamp;
    expect(() => parseSmsVoiceEvent(event)).toThrow(expect.objectContaining({ statusCode: 400 }));
  });

  it.each([
    ["an over-long id", { ...deliveryEvent("m", "x", true), id: "a".repeat(60_000) }],
    ["an id holding a phone number", { ...deliveryEvent("m", "x", true), id: "+14255550182 x" }],
    ["an over-long messageId", deliveryEvent("m".repeat(200), "DELIVERED", true)],
    ["a messageId with spaces", deliveryEvent("call +1 425 555 0182", "DELIVERED", true)],
    ["a status that is not a word", deliveryEvent("m", "DELIVERED +14255550182", true)],
    ["an over-long registrationId", registrationEvent("r".repeat(200), "COMPLETE")],
    ["a registration status with a newline", registrationEvent("r", "COMPLETE\nforged")],
  ])("refuses %s, so it never reaches a log", (_what, event) => {
    expect(() => parseSmsVoiceEvent(event)).toThrow(expect.objectContaining({ statusCode: 400 }));
  });

  it("returns a placeholder, not the given text, for an ignored detail-type of the wrong shape", () => {
    const event = {
      ...deliveryEvent("m", "x", true),
      "detail-type": `call +14255550182 ${"x".repeat(500)}`,
    };
    expect(parseSmsVoiceEvent(event)).toEqual({
      kind: "ignored",
      eventId: event.id,
      detailType: "[unrecognised]",
    });
  });
});
