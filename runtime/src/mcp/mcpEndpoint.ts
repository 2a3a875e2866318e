import { createMcpHandler, type AuthInfo } from "@modelcontextprotocol/server";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { SecretCheck } from "../auth/rotatingSecret";
import type { Caller } from "../conversations/caller";
import { agentCaller, requireAgentToken } from "../auth/agentAuth";
import type { McpToolDeps } from "./mcpToolDeps";
import { buildMcpServer } from "./mcpTools";

const CLIENT_INFO_META_KEY = "io.modelcontextprotocol/clientInfo";

/**
 * `/mcp`: the Model Context Protocol over Streamable HTTP on the service's own port, stateless.
 * The SDK's `createMcpHandler` serves the current revision (per-request envelope) and, through
 * its stateless fallback, initialize-based clients of 2025-06-18 and 2025-11-25; GET and DELETE
 * (session operations) answer 405 since no session is kept. The bearer token is `/v1`'s, checked
 * before the SDK sees the request; the caller it proves travels to the tools as `authInfo`.
 */
export function registerMcpEndpoint(
  app: FastifyInstance,
  deps: McpToolDeps & { agentApiToken: SecretCheck },
): void {
  const handler = createMcpHandler(
    ({ authInfo }) => buildMcpServer(deps, callerFromAuthInfo(authInfo)),
    {
      // Rejections are reported by type only: the SDK's messages may quote the request.
      onerror: (err) => deps.log.warn({ err: { type: err.name } }, "mcp request rejected"),
    },
  );
  app.addHook("onClose", async () => handler.close());

  void app.register(async (mcp) => {
    mcp.addHook("onRequest", async (request, reply) => {
      requireAgentToken(request, reply, deps.agentApiToken);
    });
    const serve = async (request: FastifyRequest, reply: FastifyReply): Promise<Response> => {
      const caller = agentCaller(request, clientNameOf(request.body));
      const abort = new AbortController();
      reply.raw.on("close", () => {
        if (!reply.raw.writableFinished) abort.abort();
      });
      const response = await handler.fetch(toWebRequest(request, abort.signal), {
        authInfo: { token: "", clientId: caller.actor, scopes: [], extra: { ...caller } },
        ...(request.body === undefined ? {} : { parsedBody: request.body }),
      });
      return response;
    };
    mcp.post("/mcp", serve);
    mcp.get("/mcp", serve);
    mcp.delete("/mcp", serve);
  });
}

function callerFromAuthInfo(authInfo: AuthInfo | undefined): Caller {
  const extra = authInfo?.extra;
  if (typeof extra?.actor === "string" && typeof extra.requestId === "string") {
    return { actor: extra.actor, requestId: extra.requestId };
  }
  // Unreachable through the route above, which always passes the caller; fail closed anyway.
  throw new Error("mcp request without an authenticated caller");
}

/** The client's self-declared name: in the per-request envelope, or in `initialize`. */
function clientNameOf(body: unknown): string | undefined {
  const params = (body as { params?: unknown } | undefined)?.params;
  if (typeof params !== "object" || params === null) return undefined;
  const p = params as {
    clientInfo?: { name?: unknown };
    _meta?: Record<string, { name?: unknown } | undefined>;
  };
  const name = p._meta?.[CLIENT_INFO_META_KEY]?.name ?? p.clientInfo?.name;
  return typeof name === "string" ? name : undefined;
}

function toWebRequest(request: FastifyRequest, signal: AbortSignal): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    // The body is re-serialised below, so its framing headers no longer apply.
    if (value === undefined || name === "content-length" || name === "transfer-encoding") continue;
    headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  const hasBody = request.method === "POST" && request.body !== undefined;
  return new Request(`http://localhost${request.url}`, {
    method: request.method,
    headers,
    signal,
    ...(hasBody ? { body: JSON.stringify(request.body) } : {}),
  });
}
