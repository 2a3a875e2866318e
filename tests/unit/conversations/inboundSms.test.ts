import { parseInboundSms } from "../../../runtime/src/conversations/inboundSms";
import { AppError } from "../../../runtime/src/errors";

const documented = {
  originationNumber: "+14255550182",
  destinationNumber: "+12125550101",
  messageKeyword: "JOIN",
  messageBody: "EXAMPLE",
  inboundMessageId: "cae173d2-66b9-564c-8309-21f858e9fb84",
  previousPublishedMessageId: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
};

describe("parseInboundSms", () => {
  it("parses the documented payload", () => {
    expect(parseInboundSms(JSON.stringify(documented))).toEqual(documented);
  });

  it("treats the optional fields as optional", () => {
    const { messageKeyword: _k, previousPublishedMessageId: _p, ...minimal } = documented;
    expect(parseInboundSms(JSON.stringify(minimal))).toEqual(minimal);
    expect(
      parseInboundSms(JSON.stringify({ ...minimal, previousPublishedMessageId: null })),
    ).toEqual(minimal);
  });

  it.each([
    ["not JSON", "hello"],
    ["an array", "[]"],
    ["no inboundMessageId", JSON.stringify({ ...documented, inboundMessageId: undefined })],
    ["a numeric number", JSON.stringify({ ...documented, originationNumber: 14255550182 })],
    ["a malformed number", JSON.stringify({ ...documented, originationNumber: "call me" })],
    ["no body", JSON.stringify({ ...documented, messageBody: undefined })],
  ])("rejects %s with a 400 that quotes no value", (_what, message) => {
    let caught: unknown;
    try {
      parseInboundSms(message);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect(caught).toMatchObject({ statusCode: 400, code: "INVALID_INBOUND_SMS" });
    expect((caught as Error).message).not.toMatch(/\d{6,}|call me/);
  });
});
