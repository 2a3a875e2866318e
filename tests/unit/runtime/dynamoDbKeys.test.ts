import { partitionKeys, sortKeys } from "../../../runtime/src/store/dynamoDbTableSchema";

// Items written by earlier versions stay in the table until their TTL: the key builders must keep
// producing exactly the layout the schema's table documents.
describe("the DynamoDB key builders", () => {
  it("produce the documented partition keys", () => {
    expect(partitionKeys.conversation("c1")).toBe("CONV#c1");
    expect(partitionKeys.patient("p1")).toBe("PATIENT#p1");
    expect(partitionKeys.outbound("m1")).toBe("MSG#m1");
    expect(partitionKeys.inboundMark("i1")).toBe("INBOUND#i1");
    expect(partitionKeys.snsMessageMark("s1")).toBe("SNSMSG#s1");
    expect(partitionKeys.effects("i1")).toBe("EFFECTS#i1");
    expect(partitionKeys.idempotency("messages:k")).toBe("IDEMPOTENCY#messages:k");
    expect(partitionKeys.registration("r1")).toBe("REGISTRATION#r1");
    expect(partitionKeys.send("send-1")).toBe("SEND#send-1");
    expect(partitionKeys.providerMessage("pm-1")).toBe("PROVIDERMSG#pm-1");
  });

  it("keep the origination identity, possibly a phone number, out of rate window keys", () => {
    const key = partitionKeys.rateWindow("+12065550100", 1_764_000_000_000);
    expect(key).toMatch(/^RATE#[0-9a-f]{32}#1764000000000$/);
    expect(key).not.toContain("2065550100");
    // Every task computes the same key for the same identity and second, another for another.
    expect(partitionKeys.rateWindow("+12065550100", 1_764_000_000_000)).toBe(key);
    expect(partitionKeys.rateWindow("+12065550101", 1_764_000_000_000)).not.toBe(key);
  });

  it("order a patient's cap entries by time inside their own range", () => {
    const entry = sortKeys.capSent("2026-01-01T00:00:00.000Z", "send-1");
    expect(entry).toBe("CAPSENT#2026-01-01T00:00:00.000Z#send-1");
    expect(entry.startsWith(sortKeys.capSentPrefix)).toBe(true);
    expect(entry < sortKeys.capSentEnd).toBe(true);
    expect(sortKeys.consent("reminders")).toBe("CONSENT#reminders");
    expect(sortKeys.consent("reminders").startsWith(sortKeys.consentPrefix)).toBe(true);
    // Consents and cap entries share the patient's partition but not a prefix.
    expect(sortKeys.consent("CAPSENT").startsWith(sortKeys.capSentPrefix)).toBe(false);
  });

  it("produce the documented sort keys", () => {
    expect([sortKeys.meta, sortKeys.mark, sortKeys.optOut]).toEqual(["META", "MARK", "OPTOUT"]);
    const reply = sortKeys.reply("2026-01-01T00:00:00.000Z", "i1");
    expect(reply).toBe("IN#2026-01-01T00:00:00.000Z#i1");
    expect(reply.startsWith(sortKeys.replyPrefix)).toBe(true);
    expect(sortKeys.byPatient("2026-01-01T00:00:00.000Z", "c1")).toBe(
      "2026-01-01T00:00:00.000Z#c1",
    );
  });
});
