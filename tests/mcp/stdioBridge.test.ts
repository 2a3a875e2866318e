import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { Client as V1Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport as V1StdioTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { repoRoot } from "../support/paths";
import { startRuntime, type RuntimeProcess } from "../support/runtimeProcess";

/** The `eum-sms-mcp` bin (built by globalSetup) between a stdio MCP client and the real service. */
const BIN = join(repoRoot, "dist", "runtime", "src", "bin", "eumSmsMcp.js");
const TOKEN = "bridge-agent-token-0123456789";
let runtime: RuntimeProcess;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "bridge-"));
  runtime = await startRuntime({ STORE: `sqlite:${join(dir, "sms.db")}`, AGENT_API_TOKEN: TOKEN });
}, 30_000);
afterAll(async () => {
  await runtime?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const bridgeEnv = (token = TOKEN): Record<string, string> => ({
  PATH: process.env.PATH ?? "",
  EUM_SMS_URL: runtime.baseUrl,
  EUM_SMS_TOKEN: token,
  EUM_SMS_AGENT_ID: "desktop-agent",
});

type Result = { isError?: boolean; structuredContent?: Record<string, unknown> };

describe("eum-sms-mcp, the stdio bridge", () => {
  it("carries a v1 (2025-11-25) stdio client through the whole flow", async () => {
    const client = new V1Client({ name: "desktop", version: "1" });
    await client.connect(
      new V1StdioTransport({ command: process.execPath, args: [BIN], env: bridgeEnv() }),
    );
    try {
      const tools = (await client.listTools()).tools.map((t) => t.name);
      expect(tools).toEqual(
        expect.arrayContaining(["send_appointment_slots", "check_user_response"]),
      );
      const sent = (await client.callTool({
        name: "send_appointment_slots",
        arguments: { to: "+14255550191", slots: ["Mon 9 AM", "Tue 10 AM"] },
      })) as Result;
      const conversationId = String(sent.structuredContent?.conversationId);
      const replied = (await client.callTool({
        name: "simulate_user_sms_response",
        arguments: { conversation_id: conversationId, response: "2" },
      })) as Result;
      expect(replied.structuredContent).toMatchObject({ selected_slot: 2 });
      const checked = (await client.callTool({
        name: "check_user_response",
        arguments: { conversationId },
      })) as Result;
      expect(checked.structuredContent).toMatchObject({
        status: "replied",
        selectedSlot: { number: 2, label: "Tue 10 AM" },
      });
    } finally {
      await client.close();
    }
    expect(runtime.output.join("\n")).toContain('"actor":"agent:desktop-agent"');
  });

  it("carries a v2 stdio client of the current revision too", async () => {
    const client = new Client(
      { name: "desktop-v2", version: "1" },
      { versionNegotiation: { mode: { pin: "2026-07-28" } } },
    );
    await client.connect(
      new StdioClientTransport({ command: process.execPath, args: [BIN], env: bridgeEnv() }),
    );
    try {
      const status = (await client.callTool({
        name: "get_opt_out_status",
        arguments: { to: "+14255550192" },
      })) as Result;
      expect(client.getNegotiatedProtocolVersion()).toBe("2026-07-28");
      expect(status.structuredContent).toEqual({ optedOut: false, service: false });
    } finally {
      await client.close();
    }
  });

  it("turns a refused token into JSON-RPC errors, not a hang", async () => {
    const client = new V1Client({ name: "desktop", version: "1" });
    await expect(
      client.connect(
        new V1StdioTransport({
          command: process.execPath,
          args: [BIN],
          env: bridgeEnv("wrong-token-0123456789"),
        }),
      ),
    ).rejects.toThrow(/eum-sms-mcp/);
    await client.close();
  });

  it("refuses to start without a URL and token, naming the keys", async () => {
    const child = spawn(process.execPath, [BIN], { env: { PATH: process.env.PATH ?? "" } });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((r) => child.on("exit", r));
    expect(code).toBe(2);
    expect(stderr).toContain("EUM_SMS_URL is required");
    expect(stderr).toContain("EUM_SMS_TOKEN is required");
  });
});
