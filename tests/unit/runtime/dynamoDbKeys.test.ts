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
