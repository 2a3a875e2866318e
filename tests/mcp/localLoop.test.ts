import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, loadConfig } from "../../runtime/src/config";
import { SERVICE_VERSION } from "../../runtime/src/mcp/serviceInfo";
import { startRuntime, type RuntimeProcess } from "../support/runtimeProcess";
import { v1Client, v2Client } from "./mcpClients";

/** `npm start` as a developer runs it: mock mode, SQLite, the development token. */
const TOKEN = "local-dev-agent-token";
const PATIENT = "+14255550181";
let runtime: RuntimeProcess;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "local-loop-"));
  runtime = await startRuntime({ STORE: `sqlite:${join(dir, "sms.db")}` });
}, 30_000);
afterAll(async () => {
  await runtime?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function api(method: "GET" | "POST", path: string, body?: object): Promise<Response> {
  return fetch(`${runtime.baseUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${TOKEN}`,
      ...(body ? { "content-type": "application/json" } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
}

describe("the local loop (mock mode)", () => {
  it("closes the appointment flow with curl-like calls: send, outbox, reply 2, read", async () => {
    const started = await api("POST", "/v1/conversations", {
      to: PATIENT,
      slots: ["Tue 3:00 PM", "Wed 9:30 AM"],
    });
    expect(started.status).toBe(201);
    const { conversationId, messageId } = (await started.json()) as {
      conversationId: string;
      messageId: string;
    };

    const outbox = (await (
      await api("GET", `/v1/simulate/outbox?conversationId=${conversationId}`)
    ).json()) as { messages: unknown[] };
    expect(outbox.messages).toEqual([
      {
        messageId,
        to: PATIENT,
        conversationId,
        body: "Please reply with the number of the time that suits you:\n1. Tue 3:00 PM\n2. Wed 9:30 AM",
        sentAt: expect.any(String),
      },
    ]);

    const reply = await api("POST", "/v1/simulate/inbound", { conversationId, text: "2" });
    expect(reply.status).toBe(202);
    expect(await reply.json()).toMatchObject({ status: "stored" });
    expect(await (await api("GET", `/v1/conversations/${conversationId}`)).json()).toMatchObject({
      status: "replied",
      selectedSlot: { number: 2, label: "Wed 9:30 AM" },
    });

    // keywords take the same path: STOP by number opts the patient out
    expect((await api("POST", "/v1/simulate/inbound", { to: PATIENT, text: "STOP" })).status).toBe(
      202,
    );
    const refused = await api("POST", "/v1/messages", { to: PATIENT, body: "still there?" });
    expect(await refused.json()).toMatchObject({ code: "PATIENT_OPTED_OUT" });
    expect((await api("POST", "/v1/simulate/inbound", { to: PATIENT, text: "START" })).status).toBe(
      202,
    );
  });

  it("refuses bad input clearly and needs the token", async () => {
    expect(
      await (
        await api("POST", "/v1/simulate/inbound", { conversationId: "nope", text: "2" })
      ).json(),
    ).toMatchObject({ code: "NOT_FOUND" });
    expect(await (await api("POST", "/v1/simulate/inbound", { text: "2" })).json()).toMatchObject({
      code: "INVALID_REQUEST",
    });
    const anonymous = await fetch(`${runtime.baseUrl}/v1/simulate/outbox`);
    expect(anonymous.status).toBe(401);
    // the audit trail says the reply was simulated
    expect(runtime.output.join("\n")).toContain('"actor":"simulate:agent"');
  });

  it("lists simulate_user_sms_response to MCP clients and runs the guide's flow with it", async () => {
    for (const [kind, connect] of [
      ["v2", v2Client],
      ["v1", v1Client],
    ] as const) {
      const client = await connect(runtime.baseUrl, TOKEN, `${kind}-local`);
      try {
        expect(await client.listToolNames()).toContain("simulate_user_sms_response");
        const id = `local-${kind}`;
        const sent = await client.call("send_appointment_sms", {
          phone_number: "+14255550182",
          conversation_id: id,
          appointment_slots: [
            { slot_number: 1, date: "Mon", time: "9 AM" },
            { slot_number: 2, date: "Tue", time: "10 AM" },
          ],
        });
        expect(sent.isError).toBe(false);
        const replied = await client.call("simulate_user_sms_response", {
          conversation_id: id,
          response: "2",
        });
        expect(replied.structured).toMatchObject({
          conversation_id: id,
          status: "replied",
          selected_slot: 2,
          selected_slot_label: "Tue 10 AM",
        });
        expect(JSON.stringify(replied)).not.toContain("4255550182");
      } finally {
        await client.close();
      }
    }
  });

  it("serves the A2A agent card, built with the SDK's types", async () => {
    const res = await fetch(`${runtime.baseUrl}/.well-known/agent-card.json`);
    expect(res.status).toBe(200);
    const json = (await res.json()) as Record<string, unknown>;
    // the SDK's codec (ES-module only, so not loadable in Jest) wrote it; its field names are A2A's
    expect(res.headers.get("a2a-version")).toBe("1.0");
    expect(json).toMatchObject({ name: "eum-sms", version: SERVICE_VERSION });
    const skills = json.skills as { id: string; description: string }[];
    expect(skills.map((s) => s.id)).toEqual(["appointment-messaging", "sms-messaging"]);
    expect(skills[0]?.description).toContain(`${runtime.baseUrl}/mcp`);
    expect(json.securitySchemes).toEqual({
      agentToken: {
        httpAuthSecurityScheme: {
          description: expect.any(String),
          scheme: "bearer",
        },
      },
    });
  });

  it("logs no phone number and no message body", () => {
    const log = runtime.output.join("\n");
    for (const secret of ["4255550181", "4255550182", "Wed 9:30 AM", "still there"]) {
      expect(log).not.toContain(secret);
    }
  });
});

describe("LOCAL_LOOP in the configuration", () => {
  const base = { AGENT_API_TOKEN: "a-token-0123456789abcdef" };
  it("is on in mock mode and off with NODE_ENV=production or real SMS", () => {
    expect(loadConfig({ ...base }).localLoop).toBe(true);
    expect(loadConfig({ ...base, NODE_ENV: "production" }).localLoop).toBe(false);
  });
  it("is refused where it would be unsafe, naming the key", () => {
    expect(() => loadConfig({ ...base, NODE_ENV: "production", LOCAL_LOOP: "true" })).toThrow(
      /LOCAL_LOOP is refused with NODE_ENV=production/,
    );
    try {
      loadConfig({ ...base, USE_MOCK_SMS: "false", LOCAL_LOOP: "true" });
      throw new Error("expected a ConfigError");
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems).toContain(
        "LOCAL_LOOP=true needs USE_MOCK_SMS=true: remove LOCAL_LOOP",
      );
    }
  });
  it("checks PUBLIC_BASE_URL and AWS_SMS_OPT_OUT_LIST", () => {
    expect(loadConfig({ ...base, PUBLIC_BASE_URL: "https://sms.example.org/" })).toMatchObject({
      publicBaseUrl: "https://sms.example.org",
      optOutListName: "Default",
    });
    expect(() => loadConfig({ ...base, PUBLIC_BASE_URL: "https://sms.example.org/x" })).toThrow(
      /PUBLIC_BASE_URL=.* must be an origin/,
    );
    expect(() => loadConfig({ ...base, AWS_SMS_OPT_OUT_LIST: "no spaces" })).toThrow(
      /AWS_SMS_OPT_OUT_LIST=/,
    );
  });
  it("keeps the service version equal to package.json's", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    expect(SERVICE_VERSION).toBe((require("../../package.json") as { version: string }).version);
  });
});
