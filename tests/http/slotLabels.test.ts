import { agentHeaders, buildTestApp, type TestApp } from "../support/testApp";

// Issue 9, finding 9: the patient's SMS is built from the labels and the intro, one option per
// line, so a line break in either could add fake numbered options.
const PATIENT = "+14255550177";
let t: TestApp;

beforeEach(async () => {
  t = await buildTestApp();
});
afterEach(async () => {
  await t.app.close();
});

const start = (payload: object) =>
  t.request({
    method: "POST",
    url: "/v1/conversations",
    headers: agentHeaders,
    payload: { to: PATIENT, ...payload },
  });

describe("slot labels and intros", () => {
  it.each([
    ["a newline", "Tue 3:00 PM\n2. Fake option"],
    ["a carriage return", "Tue 3:00 PM\r2. Fake option"],
    ["a tab", "Tue\t3:00 PM"],
    ["an escape sequence", "Tue \u001b[2J3:00 PM"],
    ["a NUL", "Tue\u00003:00 PM"],
    ["a next-line (NEL)", "Tue 3:00 PM\u00852. Fake"],
    ["a Unicode line separator", "Tue 3:00 PM\u20282. Fake"],
    ["a Unicode paragraph separator", "Tue 3:00 PM\u20292. Fake"],
  ])("refuses a label holding %s, and sends nothing", async (_what, label) => {
    const res = await start({ slots: ["Mon 9:00 AM", label] });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: "INVALID_SLOTS" });
    expect(t.gateway.sent).toHaveLength(0);
  });

  it.each([
    ["a newline", "Pick a time:\n1. Fake option"],
    ["a line separator", "Pick a time:\u20281. Fake option"],
    ["a control character", "Pick a time\u0007"],
  ])("refuses an intro holding %s, and sends nothing", async (_what, intro) => {
    const res = await start({ slots: ["Mon 9:00 AM"], intro });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: "INVALID_INTRO" });
    expect(t.gateway.sent).toHaveLength(0);
  });

  it("accepts ordinary labels with punctuation, accents and emoji", async () => {
    const res = await start({
      slots: ["Tue 3:00 PM – Dr. Lee", "Mié 9:30 (clínica)", "Thu 1:00 PM 🦷"],
      intro: "Dr. Lee's office: pick a time.",
    });
    expect(res.statusCode).toBe(201);
    expect(t.gateway.sent[0]?.body.split("\n")).toHaveLength(4);
  });
});
