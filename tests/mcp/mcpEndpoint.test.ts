import { AGENT_TOKEN, E2eStack } from "../support/e2eStack";
import { v1Client, v2Client, type ToolCaller } from "./mcpClients";

/**
 * `/mcp` on the real process (USE_MOCK_SMS=false), wired to moto's SNS, which signs and delivers
 * the patient's replies, and to the End User Messaging contract peer. Both official clients.
 */
const e2e = new E2eStack();
const PATIENT_V2 = "+14255550171";
const PATIENT_V1 = "+14255550172";
const PATIENT_GUIDE = "+14255550173";
const LISTED = "+14255550174";
const NATIVE_TOOLS = [
  "send_sms",
  "send_appointment_slots",
  "check_user_response",
  "get_delivery_status",
  "get_opt_out_status",
];
const GUIDE_TOOLS = ["send_appointment_sms", "check_sms_response", "get_conversation_state"];
const clients: ToolCaller[] = [];

beforeAll(() => e2e.start(), 60_000);
afterAll(async () => {
  for (const c of clients) await c.close().catch(() => undefined);
  await e2e.stop();
});

async function connect(
  kind: "v1" | "v2",
  name: string,
  headers: Record<string, string> = {},
): Promise<ToolCaller> {
  const client = await (kind === "v1" ? v1Client : v2Client)(
    e2e.runtime.baseUrl,
    AGENT_TOKEN,
    name,
    headers,
  );
  clients.push(client);
  return client;
}

function auditEvents(): Record<string, unknown>[] {
  return e2e.runtime.output
    .filter((l) => l.includes('"logType":"audit"'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

// The current revision names the client in every request; a 2025-era client names itself only in
// `initialize`, which a stateless server does not keep, so its actor is "agent" unless it sends
// x-agent-id (the guide test below does).
describe.each([
  ["v2", PATIENT_V2, "2026-07-28", "agent:v2-agent"],
  ["v1", PATIENT_V1, "2025-11-25", "agent"],
] as const)("the %s SDK client over Streamable HTTP", (kind, patient, revision, actor) => {
  it("lists the tools, sends slots, and reads slot 2 after a signed SNS reply", async () => {
    const client = await connect(kind, `${kind}-agent`);
    expect(client.protocolVersion()).toBe(revision);
    const names = await client.listToolNames();
    expect(names).toEqual(expect.arrayContaining([...NATIVE_TOOLS, ...GUIDE_TOOLS]));
    // not in mock mode: a simulated reply must not exist where real patients text
    expect(names).not.toContain("simulate_user_sms_response");

    const sent = await client.call("send_appointment_slots", {
      to: patient,
      slots: ["Tue 3:00 PM", "Wed 9:30 AM"],
    });
    expect(sent.isError).toBe(false);
    const { conversationId, messageId } = sent.structured as {
      conversationId: string;
      messageId: string;
    };
    expect(e2e.peer.delivered.find((s) => s.messageId === messageId)?.body).toMatchObject({
      DestinationPhoneNumber: patient,
      MessageBody: expect.stringContaining("2. Wed 9:30 AM"),
    });

    await e2e.patientTexts(patient, "2", { previousPublishedMessageId: messageId });
    const response = await client.call("check_user_response", { conversationId });
    expect(response).toMatchObject({
      isError: false,
      structured: {
        conversationId,
        status: "replied",
        selectedSlot: { number: 2, label: "Wed 9:30 AM" },
        replies: [{ text: "2" }],
      },
    });
    expect(response.text).toContain("slot 2");
    // the agent has the number already: no result carries it back
    expect(JSON.stringify([sent, response])).not.toContain(patient.slice(2));

    const delivery = await client.call("get_delivery_status", { messageId });
    expect(delivery.structured).toMatchObject({
      messageId,
      conversationId,
      delivery: { status: "SENT", final: false },
    });

    expect(auditEvents()).toContainEqual(
      expect.objectContaining({
        actor,
        action: "sms.send",
        record: `message:${messageId}`,
        outcome: "success",
      }),
    );
  });
});

describe("the setup guide's tool names", () => {
  it("send, reply 2, check: the same flow; provider and cost stay out of the SMS", async () => {
    const client = await connect("v1", "guide-agent", { "x-agent-id": "scheduler-7" });
    const sent = await client.call("send_appointment_sms", {
      phone_number: PATIENT_GUIDE,
      conversation_id: "guide-conv-1",
      appointment_slots: [
        { slot_number: 2, date: "2026-12-02", time: "9:30 AM", provider: "Dr. Oncology" },
        { slot_number: 1, date: "2026-12-01", time: "3:00 PM", cost_estimate: 240 },
      ],
    });
    expect(sent.structured).toMatchObject({
      success: true,
      conversation_id: "guide-conv-1",
      slots_sent: 2,
    });
    const messageId = String(sent.structured.message_id);
    const text = String(
      e2e.peer.delivered.find((s) => s.messageId === messageId)?.body.MessageBody,
    );
    expect(text).toContain("1. 2026-12-01 3:00 PM\n2. 2026-12-02 9:30 AM");
    expect(text).not.toMatch(/Oncology|240/);

    await e2e.patientTexts(PATIENT_GUIDE, "2", { previousPublishedMessageId: messageId });
    expect(
      (await client.call("check_sms_response", { conversation_id: "guide-conv-1" })).structured,
    ).toEqual({
      conversation_id: "guide-conv-1",
      status: "replied",
      has_response: true,
      selected_slot: 2,
      selected_slot_label: "2026-12-02 9:30 AM",
      response_text: "2",
    });
    expect(
      (await client.call("get_conversation_state", { conversation_id: "guide-conv-1" })).structured,
    ).toMatchObject({ status: "replied", selectedSlot: { number: 2 } });
    // x-agent-id names the actor ahead of the client's name, as on /v1
    expect(auditEvents()).toContainEqual(
      expect.objectContaining({ actor: "agent:scheduler-7", action: "conversation.create" }),
    );
  });

  it("refuses slot numbers that do not run 1..n, as a tool error", async () => {
    const client = await connect("v2", "guide-agent-2");
    const refused = await client.call("send_appointment_sms", {
      phone_number: PATIENT_GUIDE,
      conversation_id: "guide-conv-2",
      appointment_slots: [{ slot_number: 2, date: "Mon", time: "9 AM" }],
    });
    expect(refused).toMatchObject({ isError: true, structured: { code: "INVALID_SLOTS" } });
  });
});

describe("errors and access", () => {
  it("answers 401 without the bearer token, and a client cannot connect", async () => {
    const raw = await fetch(`${e2e.runtime.baseUrl}/mcp`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    expect(raw.status).toBe(401);
    expect(raw.headers.get("www-authenticate")).toContain("Bearer");
    await expect(v2Client(e2e.runtime.baseUrl, "wrong-token-0123456789", "x")).rejects.toThrow();
    await expect(v1Client(e2e.runtime.baseUrl, "wrong-token-0123456789", "x")).rejects.toThrow();
  });

  it("a failure is a tool error with the API's code and no phone number", async () => {
    const client = await connect("v2", "error-agent");
    e2e.peer.modes.optedOut = new Set([LISTED]);
    try {
      const refused = await client.call("send_sms", { to: LISTED, body: "Your results are in" });
      expect(refused).toMatchObject({
        isError: true,
        structured: { code: "DESTINATION_OPTED_OUT" },
      });
      expect(refused.text).toMatch(/^DESTINATION_OPTED_OUT: /);
      expect(JSON.stringify(refused)).not.toMatch(/4255550174|results are in|\bat \w+ \(/);

      const status = await client.call("get_opt_out_status", { to: LISTED });
      expect(status.structured).toEqual({ optedOut: true, service: true, endUserMessaging: true });
      const other = await client.call("get_opt_out_status", { to: "+14255550175" });
      expect(other.structured).toEqual({
        optedOut: false,
        service: false,
        endUserMessaging: false,
      });
    } finally {
      e2e.peer.modes.optedOut = undefined;
    }
    // Reading the opt-out record is access to the patient's record: audited under its own action.
    expect(auditEvents()).toContainEqual(
      expect.objectContaining({
        action: "optout.read",
        outcome: "success",
        record: expect.stringMatching(/^patient:/),
      }),
    );
    expect(e2e.peer.invalid).toEqual([]);
    expect(
      e2e.peer.sends.filter((s) => s.target.endsWith("DescribeOptedOutNumbers")).at(-1)?.body,
    ).toEqual({ OptOutListName: "Default", OptedOutNumbers: ["+14255550175"] });

    const missing = await client.call("check_user_response", { conversationId: "no-such-thing" });
    expect(missing).toMatchObject({ isError: true, structured: { code: "NOT_FOUND" } });
    const invalid = await client.call("get_opt_out_status", { to: "+1999" });
    expect(invalid).toMatchObject({ isError: true, structured: { code: "INVALID_PHONE_NUMBER" } });
  });

  it("serves an initialize-based 2025-06-18 client, statelessly", async () => {
    const post = (body: object) =>
      fetch(`${e2e.runtime.baseUrl}/mcp`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${AGENT_TOKEN}`,
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          "mcp-protocol-version": "2025-06-18",
        },
        body: JSON.stringify(body),
      });
    const init = await post({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: {
        protocolVersion: "2025-06-18",
        capabilities: {},
        clientInfo: { name: "old-agent", version: "0.9" },
      },
    });
    expect(init.status).toBe(200);
    expect(await init.text()).toContain('"protocolVersion":"2025-06-18"');
    const call = await post({
      jsonrpc: "2.0",
      id: 2,
      method: "tools/call",
      params: { name: "check_user_response", arguments: { conversationId: "guide-conv-1" } },
    });
    expect(await call.text()).toContain('"selectedSlot":{"number":2');
    // no sessions: GET (a 2025 session stream) is not allowed
    const get = await fetch(`${e2e.runtime.baseUrl}/mcp`, {
      headers: { authorization: `Bearer ${AGENT_TOKEN}`, accept: "text/event-stream" },
    });
    expect(get.status).toBe(405);
  });

  it("has no local loop outside mock mode", async () => {
    for (const [method, path] of [
      ["GET", "/v1/simulate/outbox"],
      ["POST", "/v1/simulate/inbound"],
    ] as const) {
      const res = await e2e.agent(method, path, method === "POST" ? { text: "2" } : undefined);
      expect(res.status).toBe(404);
    }
  });

  it("logs no phone number and no message body", () => {
    const log = e2e.runtime.output.join("\n");
    expect(log).toContain('"route":"/mcp"');
    for (const secret of [
      "4255550171",
      "4255550172",
      "4255550173",
      "4255550174",
      "4255550175",
      "Wed 9:30 AM",
      "results are in",
      "Oncology",
    ]) {
      expect(log).not.toContain(secret);
    }
  });
});
