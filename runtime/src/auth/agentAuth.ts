import type { FastifyReply, FastifyRequest } from "fastify";
import { secretMatches, type SecretCheck } from "./rotatingSecret";
import type { Caller } from "../conversations/caller";
import { AppError } from "../errors";

/**
 * The `/v1` bearer-token check, for the agent API and the agent-facing routes registered outside its
 * plugin (`/mcp`, `/v1/simulate/*`): one token, one 401 and challenge header.
 */
export function requireAgentToken(
  request: FastifyRequest,
  reply: FastifyReply,
  agentApiToken: SecretCheck,
): void {
  const header = request.headers.authorization;
  const token = typeof header === "string" && header.startsWith("Bearer ") ? header.slice(7) : "";
  if (!secretMatches(token, agentApiToken)) {
    reply.header("www-authenticate", 'Bearer realm="eum-sms"');
    throw new AppError("UNAUTHORIZED", "send Authorization: Bearer <AGENT_API_TOKEN>");
  }
}

const AGENT_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * The audit actor: the agent's `x-agent-id`, else a name the client gave for itself (an MCP
 * client's `clientInfo.name`), else plain "agent". Names are opaque labels, checked so that a
 * caller cannot write arbitrary text into the audit trail.
 */
export function agentCaller(request: FastifyRequest, clientName?: string): Caller {
  const agentId = request.headers["x-agent-id"];
  const name =
    typeof agentId === "string" && AGENT_NAME.test(agentId)
      ? agentId
      : clientName !== undefined && AGENT_NAME.test(clientName)
        ? clientName
        : undefined;
  return { actor: name === undefined ? "agent" : `agent:${name}`, requestId: request.id };
}
