import { StoreUnavailableError } from "../../runtime/src/errors";
import { toHttpError } from "../../runtime/src/httpErrors";
import { QueueUnavailableError } from "../../runtime/src/outbound/queue/queueUnavailableError";
import { deliveryEvent } from "../support/events";
import { EVENTBRIDGE_KEY } from "../support/testApp";
import { buildFlowApp, TestClock, type FlowApp } from "../outbound/flowApp";

// 14:00 in New York: inside every US window, so a retry is queued, not deferred.
const AFTERNOON = "2026-11-25T19:00:00.000Z";
const NEW_YORK = "+12125550142";

describe("a dependency outage at the HTTP edge", () => {
  it("answers 503 STORE_UNAVAILABLE with Retry-After for the store and the queue alike", () => {
    const expected = {
      statusCode: 503,
      code: "STORE_UNAVAILABLE",
      headers: { "retry-after": "5" },
    };
    expect(toHttpError(new StoreUnavailableError("getSend"))).toEqual({
      ...expected,
      message: "the conversation store is unavailable; retry",
    });
    expect(
      toHttpError(new QueueUnavailableError("enqueue", { cause: new Error("+12125550142") })),
    ).toEqual({ ...expected, message: "the outbound queue is unavailable; retry" });
  });

  describe("the queue down while a temporary carrier failure is re-queued", () => {
    let t: FlowApp;
    afterEach(async () => {
      await t?.close();
    });

    const event = (messageId: string) =>
      t.call("POST", "/sms/webhook", deliveryEvent(messageId, "UNREACHABLE", true), {
        "content-type": "application/json",
        "x-api-key": EVENTBRIDGE_KEY,
      });

    it("answers 503 so EventBridge retries, and the retry re-queues the send", async () => {
      t = await buildFlowApp({ clock: new TestClock(Date.parse(AFTERNOON)) });
      const sent = await t.call("POST", "/v1/messages", { to: NEW_YORK, body: "Reminder" });
      expect(sent.body.status).toBe("sent");

      const enqueue = jest
        .spyOn(t.queue, "enqueue")
        .mockRejectedValueOnce(new QueueUnavailableError("enqueue", { cause: new Error("down") }));
      const down = await event(sent.body.messageId);
      expect(enqueue).toHaveBeenCalledTimes(1);
      expect(down.status).toBe(503);
      expect(down.headers["retry-after"]).toBe("5");
      expect(down.body).toEqual({
        code: "STORE_UNAVAILABLE",
        message: "the outbound queue is unavailable; retry",
      });
      expect(t.logs.join("")).not.toContain(NEW_YORK);

      // EventBridge delivers the same event again once the queue is back: the send is queued.
      const again = await event(sent.body.messageId);
      expect(again.status).toBe(200);
      expect(enqueue).toHaveBeenCalledTimes(2);
      t.clock.advance(60_000);
      await t.drain();
      expect(t.gateway.sent).toHaveLength(2);
    });
  });
});
