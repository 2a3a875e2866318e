import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { Client as V1Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport as V1Transport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

/** What the tests need of either SDK's client. */
export interface ToolCaller {
  listToolNames(): Promise<string[]>;
  call(name: string, args: Record<string, unknown>): Promise<ToolAnswer>;
  protocolVersion(): string | undefined;
  close(): Promise<void>;
}

export interface ToolAnswer {
  isError: boolean;
  structured: Record<string, unknown>;
  text: string;
}

type RawResult = {
  isError?: boolean;
  structuredContent?: Record<string, unknown>;
  content?: unknown;
};

function answer(result: RawResult): ToolAnswer {
  const content = Array.isArray(result.content) ? (result.content as { text?: string }[]) : [];
  return {
    isError: result.isError === true,
    structured: result.structuredContent ?? {},
    text: content.map((c) => c.text ?? "").join("\n"),
  };
}

/** The v2 client, pinned to the current revision (per-request envelope, no `initialize`). */
export async function v2Client(
  url: string,
  token: string,
  name: string,
  headers: Record<string, string> = {},
): Promise<ToolCaller> {
  const client = new Client(
    { name, version: "1.0.0" },
    { versionNegotiation: { mode: { pin: "2026-07-28" } } },
  );
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${token}`, ...headers } },
    }),
  );
  return {
    async listToolNames() {
      return (await client.listTools()).tools.map((t) => t.name);
    },
    async call(toolName, args) {
      return answer((await client.callTool({ name: toolName, arguments: args })) as RawResult);
    },
    protocolVersion: () => client.getNegotiatedProtocolVersion(),
    close: () => client.close(),
  };
}

/** The v1 SDK client: the 2025-11-25 `initialize` handshake, as most agents in use speak it. */
export async function v1Client(
  url: string,
  token: string,
  name: string,
  headers: Record<string, string> = {},
): Promise<ToolCaller> {
  const client = new V1Client({ name, version: "1.0.0" });
  const transport = new V1Transport(new URL(`${url}/mcp`), {
    requestInit: { headers: { authorization: `Bearer ${token}`, ...headers } },
  });
  await client.connect(transport);
  return {
    async listToolNames() {
      return (await client.listTools()).tools.map((t) => t.name);
    },
    async call(toolName, args) {
      return answer((await client.callTool({ name: toolName, arguments: args })) as RawResult);
    },
    protocolVersion: () => transport.protocolVersion,
    close: () => client.close(),
  };
}
