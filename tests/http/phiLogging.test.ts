import { deliveryEvent } from "../support/events";
import { inboundNotification, signSnsMessage } from "../support/snsSigner";
import {
  agentHeaders,
  buildTestApp,
  EVENTBRIDGE_KEY,
  OUR_NUMBER,
  snsHeaders,
} from "../support/testApp";

// Distinctive values so any leak is unmistakable.
const PATIENT = "+14255550199";
const PATIENT_DIGITS = "4255550199";
const SLOT = "Zanzibar clinic Tue 3:00 PM";
const FREE_TEXT = "my knee still hurts quite a lot";

describe("PHI never reaches the logs", () => {
  it("logs a whole conversation, its failures and hostile input without a number or a body", async () => {
    const t = await buildTestApp({ config: { selfManagedOptOuts: true } });
    const post = (url: string, payload: unknown, headers: Record<string, string>) =>
      t.request({
        method: "POST",
        url,
        headers,
        payload: typeof payload === "string" ? payload : JSON.stringify(payload),
      });
    const inbound = (body: string, extra: object = {}) =>
      inboundNotification({
        originationNumber: PATIENT,
        destinationNumber: OUR_NUMBER,
        messageBody: body,
        inboundMessageId: `in-${body.length}-${Math.random()}`,
        ...extra,
      });

    const started = await post(
      "/v1/conversations",
      { to: PATIENT, slots: [SLOT], intro: FREE_TEXT },
      agentHeaders,
    );
    const { conversationId, messageId } = started.json();
    await post(
      "/sms/webhook",
      inbound(FREE_TEXT, { previousPublishedMessageId: messageId }),
      snsHeaders(),
    );
    await post("/sms/webhook", inbound("1"), snsHeaders());
    await post("/sms/webhook", inbound("HELP"), snsHeaders());
    await post("/sms/webhook", { ...inbound(FREE_TEXT), Signature: "AAAA" }, snsHeaders());
    await post(
      "/sms/webhook",
      signSnsMessage({ ...inbound(FREE_TEXT), Message: `{"originationNumber":"${PATIENT}"` }),
      snsHeaders(),
    );
    await post("/sms/webhook", `{"originationNumber":"${PATIENT}","messageBody":"${FREE_TEXT}"`, {
      "content-type": "text/plain",
    });
    await post("/sms/webhook", deliveryEvent(messageId, "DELIVERED", true), {
      "content-type": "application/json",
      "x-api-key": EVENTBRIDGE_KEY,
    });
    await post("/v1/messages", { to: "+1555" + PATIENT_DIGITS, body: FREE_TEXT }, agentHeaders);
    t.gateway.failures.push("unknown");
    await post("/v1/messages", { to: PATIENT, body: FREE_TEXT }, agentHeaders);
    t.gateway.failures.push("opted_out");
    await post("/v1/messages", { to: PATIENT, body: FREE_TEXT }, agentHeaders);
    await post("/sms/webhook", inbound("STOP"), snsHeaders());
    await t.request({
      method: "GET",
      url: `/v1/conversations/${conversationId}`,
      headers: agentHeaders,
    });
    await t.app.close();

    const logs = t.logs.join("");
    expect(t.logs.length).toBeGreaterThan(15);
    expect(logs).toContain(conversationId); // the logs are useful: opaque ids are there
    expect(logs).toContain("inbound sms recorded");
    for (const secret of [
      PATIENT_DIGITS,
      SLOT,
      FREE_TEXT,
      "knee",
      "Zanzibar",
      OUR_NUMBER.slice(1),
    ]) {
      expect(logs).not.toContain(secret);
    }
    const audit = JSON.stringify(t.audit.events);
    for (const secret of [PATIENT_DIGITS, SLOT, FREE_TEXT]) expect(audit).not.toContain(secret);
  });
});
