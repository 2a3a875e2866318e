import fc from "fast-check";
import {
  HELP_KEYWORDS,
  matchKeyword,
  matchSlot,
  OPT_IN_KEYWORDS,
  OPT_OUT_KEYWORDS,
} from "../../../runtime/src/conversations/keywords";

describe("matchKeyword", () => {
  it.each([
    ["STOP", "opt_out"],
    ["stop", "opt_out"],
    ["  Stop \n", "opt_out"],
    ["UNSUBSCRIBE", "opt_out"],
    ["opt-out", "opt_out"],
    ["td", "opt_out"],
    ["END", "opt_out"],
    ["arret", "opt_out"],
    ["START", "opt_in"],
    ["unstop", "opt_in"],
    ["help", "help"],
  ])("%j is %s", (body, kind) => {
    expect(matchKeyword(body)).toBe(kind);
  });

  it.each([
    "WEEKEND",
    "STD",
    "please stop",
    "STOP IT",
    "stopp",
    "HELP ME",
    "2",
    "",
    "S T O P",
    "restart",
  ])("%j is no keyword", (body) => {
    expect(matchKeyword(body)).toBeUndefined();
  });
});

describe("matchKeyword (property)", () => {
  const keywords = [...OPT_OUT_KEYWORDS, ...OPT_IN_KEYWORDS, ...HELP_KEYWORDS];
  const whitespace = fc.string({ unit: fc.constantFrom(" ", "\t", "\n", "\r"), maxLength: 3 });

  it("matches every keyword in any letter case with surrounding whitespace", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...keywords),
        fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
        whitespace,
        whitespace,
        (keyword, upper, before, after) => {
          const mixed = Array.from(keyword, (c, i) =>
            upper[i] ? c.toUpperCase() : c.toLowerCase(),
          ).join("");
          expect(matchKeyword(before + mixed + after)).toBeDefined();
        },
      ),
    );
  });

  it("never matches a keyword embedded in other text", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...keywords),
        fc.string({ unit: fc.constantFrom(..."abcxyzWEK19!?"), minLength: 1, maxLength: 6 }),
        fc.boolean(),
        (keyword, extra, prefix) => {
          const body = prefix ? extra + keyword : keyword + extra;
          fc.pre(!keywords.includes(body.trim().toUpperCase()));
          expect(matchKeyword(body)).toBeUndefined();
        },
      ),
    );
  });
});

describe("matchSlot", () => {
  it("takes a bare number in range", () => {
    expect(matchSlot("2", 3)).toBe(2);
    expect(matchSlot(" 3 \n", 3)).toBe(3);
  });

  it.each([["0"], ["4"], ["2pm"], ["#2"], ["2."], ["two"], ["-1"], ["1.5"], [""], ["12"]])(
    "ignores %j",
    (body) => {
      expect(matchSlot(body, 3)).toBeUndefined();
    },
  );
});
