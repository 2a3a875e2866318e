import fc from "fast-check";
import { countSegments } from "../../../runtime/src/sms/segments";

describe("countSegments", () => {
  it.each([
    ["", "GSM", 1],
    ["a".repeat(160), "GSM", 1],
    ["a".repeat(161), "GSM", 2],
    ["a".repeat(306), "GSM", 2],
    ["a".repeat(307), "GSM", 3],
    ["€".repeat(80), "GSM", 1], // extension characters take two septets
    ["€".repeat(81), "GSM", 2],
    ["é".repeat(160), "GSM", 1], // é is in the GSM basic set
    ["ê".repeat(70), "UCS2", 1], // ê is not
    ["ê".repeat(71), "UCS2", 2],
    ["a".repeat(134), "GSM", 1],
    ["😀".repeat(35), "UCS2", 1], // a surrogate pair is two UTF-16 units
    ["😀".repeat(36), "UCS2", 2],
  ] as const)("%# counts %s", (body, encoding, parts) => {
    expect(countSegments(body)).toMatchObject({ encoding, parts });
  });

  it("never splits an extension character across parts", () => {
    // 152 plain septets then "€": 154 septets, split into 152 + 2 rather than 153 + 1.
    const body = "a".repeat(152) + "€" + "a".repeat(10);
    expect(countSegments(body)).toMatchObject({ encoding: "GSM", parts: 2, units: 164 });
    expect(countSegments("a".repeat(152) + "€".repeat(77))).toMatchObject({ parts: 3 });
  });

  it("one emoji makes a whole message UCS-2", () => {
    expect(countSegments("Your appointment is confirmed 👍")).toMatchObject({ encoding: "UCS2" });
  });
});

describe("countSegments (property)", () => {
  const gsm = fc.string({ unit: fc.constantFrom(..."abcXYZ 019@£$\n{}[]€^~|\\"), maxLength: 700 });
  const any = fc.string({ unit: "grapheme", maxLength: 400 });

  it("GSM text fits in 160 septets or in parts of 153", () => {
    fc.assert(
      fc.property(gsm, (body) => {
        const { encoding, parts, units } = countSegments(body);
        expect(encoding).toBe("GSM");
        if (units <= 160) expect(parts).toBe(1);
        else {
          expect(parts).toBeGreaterThanOrEqual(Math.ceil(units / 153));
          // splitting whole characters wastes at most one septet per part
          expect(parts).toBeLessThanOrEqual(Math.ceil(units / 152));
        }
      }),
    );
  });

  it("parts never decrease when text is appended", () => {
    fc.assert(
      fc.property(any, any, (a, b) => {
        expect(countSegments(a + b).parts).toBeGreaterThanOrEqual(countSegments(a).parts);
      }),
    );
  });

  it("UCS-2 parts hold at most 67 code units each", () => {
    fc.assert(
      fc.property(any, (body) => {
        const { encoding, parts, units } = countSegments(body);
        if (encoding === "UCS2" && units > 70) {
          expect(parts).toBeGreaterThanOrEqual(Math.ceil(units / 67));
          expect(parts).toBeLessThanOrEqual(Math.ceil(units / 66));
        }
      }),
    );
  });
});
