#!/usr/bin/env node
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import type { JSONRPCMessage } from "@modelcontextprotocol/server";
import { StdioServerTransport } from "@modelcontextprotocol/server/stdio";

/**
 * `eum-sms-mcp`: lets a desktop agent that starts MCP servers as local processes (stdio) use a
 * deployed service's `/mcp`. Each JSON-RPC message read on stdin is posted to the service with the
 * bearer token; each answer is written to stdout. Nothing is interpreted on the way, so the
 * service decides the protocol revision with the client as if they spoke directly.
 *
 *   EUM_SMS_URL=https://sms.example.org EUM_SMS_TOKEN=... eum-sms-mcp
 *
 * Optional: EUM_SMS_AGENT_ID, sent as x-agent-id (the audit trail's actor).
 * Diagnostics go to stderr, never stdout (which carries the protocol), and never quote a message.
 */
export interface BridgeSettings {
  url: URL;
  token: string;
  agentId: string | undefined;
}

export function bridgeSettings(env: NodeJS.ProcessEnv): BridgeSettings {
  const problems: string[] = [];
  const rawUrl = env.EUM_SMS_URL?.trim() ?? "";
  let url: URL | undefined;
  try {
    url = new URL(rawUrl);
    if (!url.pathname.endsWith("/mcp")) url = new URL(`${url.href.replace(/\/+$/, "")}/mcp`);
    const local = ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
    if (url.protocol !== "https:" && !(url.protocol === "http:" && local)) {
      problems.push("EUM_SMS_URL must be https:// (http:// only for localhost)");
    }
  } catch {
    problems.push("EUM_SMS_URL is required: the service's base URL, e.g. https://sms.example.org");
  }
  const token = env.EUM_SMS_TOKEN?.trim() ?? "";
  if (token === "") problems.push("EUM_SMS_TOKEN is required: the service's AGENT_API_TOKEN");
  const agentId = env.EUM_SMS_AGENT_ID?.trim() || undefined;
  if (agentId !== undefined && !/^[A-Za-z0-9_.-]{1,64}$/.test(agentId)) {
    problems.push("EUM_SMS_AGENT_ID must be 1-64 letters, digits, '_', '.' or '-'");
  }
  if (problems.length > 0 || url === undefined) {
    throw new Error(
      `eum-sms-mcp: invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
  }
  return { url, token, agentId };
}

/** Wires stdio to the service until either side closes. */
export async function runBridge(
  settings: BridgeSettings,
  stdio: StdioServerTransport = new StdioServerTransport(),
): Promise<void> {
  const remote = new StreamableHTTPClientTransport(settings.url, {
    requestInit: {
      headers: {
        authorization: `Bearer ${settings.token}`,
        ...(settings.agentId ? { "x-agent-id": settings.agentId } : {}),
      },
    },
  });
  let closing = false;
  const closeBoth = (): void => {
    if (closing) return;
    closing = true;
    void remote.close().catch(() => undefined);
    void stdio.close().catch(() => undefined);
  };
  stdio.onmessage = (message: JSONRPCMessage) => {
    void remote.send(message).catch((err: unknown) => {
      process.stderr.write(`eum-sms-mcp: the service did not take a message: ${describe(err)}\n`);
      // A request that got no answer gets a JSON-RPC error, so the client does not wait forever.
      if ("id" in message && "method" in message) {
        void stdio.send({
          jsonrpc: "2.0",
          id: message.id,
          error: { code: -32603, message: `eum-sms-mcp: ${describe(err)}` },
        });
      }
    });
  };
  remote.onmessage = (message: JSONRPCMessage) => {
    // A 2025-era session agrees its revision in `initialize`; later POSTs must carry it.
    const result = (message as { result?: { protocolVersion?: unknown } }).result;
    if (typeof result?.protocolVersion === "string") {
      remote.setProtocolVersion(result.protocolVersion);
    }
    void stdio.send(message);
  };
  remote.onerror = (err) => process.stderr.write(`eum-sms-mcp: ${describe(err)}\n`);
  stdio.onclose = closeBoth;
  remote.onclose = closeBoth;
  await remote.start();
  await stdio.start();
}

/** The error's kind and HTTP status, if any; never its full text, which could quote a body. */
function describe(err: unknown): string {
  const e = err as { name?: unknown; code?: unknown; message?: unknown };
  const status = typeof e.code === "number" ? ` (HTTP ${e.code})` : "";
  return `${typeof e.name === "string" ? e.name : "Error"}${status}`;
}

if (require.main === module) {
  try {
    void runBridge(bridgeSettings(process.env)).catch((err: unknown) => {
      process.stderr.write(`eum-sms-mcp: ${describe(err)}\n`);
      process.exit(1);
    });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
}
