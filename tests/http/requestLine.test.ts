import type { AuditLog } from "../../runtime/src/logging/audit";
import { deliveryEvent } from "../support/events";
import { inboundNotification } from "../support/snsSigner";
import {
  buildTestApp,
  EVENTBRIDGE_KEY,
  OUR_NUMBER,
  snsHeaders,
  type TestApp,
} from "../support/testApp";

// One operational line per request (plus the audit event): what operators need of a request, and
// what the service did with it, without a second and third line saying the same.
let t: TestApp;

beforeEach(async () => {
  t = await buildTestApp();
});
afterEach(async () => {
  await t.app.close();
});

/** One signed SNS notification of an inbound reply to the webhook. */
function postInbound(inboundMessageId: string) {
  return t.request({
    method: "POST",
    url: "/sms/webhook",
    headers: snsHeaders(),
    payload: JSON.stringify(
      inboundNotification({
        originationNumber: "+14255550182",
        destinationNumber: OUR_NUMBER,
        messageBody: "hello",
        inboundMessageId,
      }),
    ),
  });
}

/** The request's operational lines; the line is written once the response is sent. */
async function linesOf(requestId: string): Promise<Record<string, unknown>[]> {
  const find = () =>
    t.logs
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.requestId === requestId);
  for (let i = 0; i < 50 && find().length === 0; i += 1) {
    await new Promise((r) => setTimeout(r, 10));
  }
  await new Promise((r) => setTimeout(r, 20)); // and nothing after it
  return find();
}

describe("the request line", () => {
  it("records an inbound SMS in one line with method, route, status, duration and outcome", async () => {
    const inboundMessageId = `in-${Date.now()}`;
    const res = await postInbound(inboundMessageId);
    expect(res.statusCode).toBe(200);
    const requestId = res.headers["x-request-id"]!;
    const lines = await linesOf(requestId);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      msg: "inbound sms recorded",
      req: { id: requestId, method: "POST", route: "/sms/webhook" },
      res: { statusCode: 200 },
      inboundMessageId,
      kind: "reply",
      matchedBy: "none",
    });
    expect(typeof lines[0]!.latencyMs).toBe("number");
    // The audit event, the HIPAA record, is still written, and names the same request.
    expect(t.audit.events).toContainEqual(
      expect.objectContaining({ action: "sms.inbound.recorded", requestId }),
    );
  });

  it("records a delivery event in one line", async () => {
    const res = await t.request({
      method: "POST",
      url: "/sms/webhook",
      headers: { "content-type": "application/json", "x-api-key": EVENTBRIDGE_KEY },
      payload: JSON.stringify(deliveryEvent("no-such-message", "DELIVERED", true)),
    });
    expect(res.statusCode).toBe(200);
    const lines = await linesOf(res.headers["x-request-id"]!);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      msg: "delivery status event",
      req: { method: "POST", route: "/sms/webhook" },
      res: { statusCode: 200 },
      messageId: "no-such-message",
      status: "DELIVERED",
      known: false,
    });
  });

  it("says 'request completed' for a request whose handler noted nothing", async () => {
    const res = await t.request({ method: "GET", url: "/healthz" });
    const lines = await linesOf(res.headers["x-request-id"]!);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      msg: "request completed",
      req: { method: "GET", route: "/healthz" },
      res: { statusCode: res.statusCode },
    });
  });

  it("has the audit log write a request's events out before its answer leaves", async () => {
    // What the audit log held each time the app asked it to write out, before a response.
    const heldAtFlush: string[][] = [];
    (t.audit as AuditLog).flushSync = () => heldAtFlush.push(t.audit.events.map((e) => e.action));
    const res = await postInbound(`in-flush-${Date.now()}`);
    expect(res.statusCode).toBe(200);
    expect(heldAtFlush.at(-1)).toContain("sms.inbound.recorded");
  });

  it("names the code of a rejected request in its warning", async () => {
    const res = await t.request({
      method: "POST",
      url: "/sms/webhook",
      headers: { "content-type": "text/plain" },
      payload: "{not json",
    });
    expect(res.statusCode).toBe(400);
    const lines = await linesOf(res.headers["x-request-id"]!);
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: "request rejected", code: "INVALID_JSON", statusCode: 400 }),
    );
  });
});
