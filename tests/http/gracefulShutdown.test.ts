import { SqliteConversationStore } from "../../runtime/src/store/sqliteStore";
import { interceptStore } from "../support/interceptStore";
import { inboundNotification } from "../support/snsSigner";
import { buildTestApp, OUR_NUMBER, snsHeaders } from "../support/testApp";

describe("graceful shutdown", () => {
  it("finishes in-flight requests, then refuses new connections", async () => {
    const real = new SqliteConversationStore(":memory:");
    // A store whose writes take a while, so requests are in flight when close() begins.
    // Close begins once all three requests are being handled, not after a fixed wait: on a busy
    // machine a request not yet sent sits on an idle connection, which closing rightly cuts.
    let started = 0;
    let allStarted: () => void = () => undefined;
    const threeInFlight = new Promise<void>((resolve) => (allStarted = resolve));
    const slow = interceptStore(real, async (method, call) => {
      if (method === "recordInbound") {
        started += 1;
        if (started === 3) allStarted();
        await new Promise((r) => setTimeout(r, 300));
      }
      return call();
    });
    const t = await buildTestApp({ store: slow });
    const send = (n: number) =>
      t.request({
        method: "POST",
        url: "/sms/webhook",
        headers: snsHeaders(),
        payload: JSON.stringify(
          inboundNotification({
            originationNumber: "+14255550100",
            destinationNumber: OUR_NUMBER,
            messageBody: `m${n}`,
            inboundMessageId: `in-${n}`,
          }),
        ),
      });
    const inFlight = [send(1), send(2), send(3)];
    await threeInFlight;
    t.lifecycle.shuttingDown = true;
    const closing = t.app.close();
    const results = await Promise.all(inFlight);
    expect(results.map((r) => r.statusCode)).toEqual([200, 200, 200]);
    await closing;
    await expect(send(4)).rejects.toThrow();
    // every acknowledged message is in the store
    for (const id of ["in-1", "in-2", "in-3"]) {
      await expect(
        real.recordInbound({
          inbound: {
            inboundMessageId: id,
            snsMessageId: `x-${id}`,
            patientRef: "p",
            kind: "reply",
            text: "",
            receivedAt: "",
            expiresAt: "",
          },
        }),
      ).resolves.toBe("duplicate");
    }
  });
});
