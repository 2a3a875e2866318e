import type { AgentCard } from "@a2a-js/sdk";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { SERVICE_NAME, SERVICE_VERSION } from "../mcp/serviceInfo";

const BEARER = "agentToken";

/**
 * The service as an A2A agent card, built with the A2A SDK's types and serialised with its own
 * JSON codec so the field names are the protocol's. The card advertises the MCP endpoint and the
 * HTTP API, each behind the `/v1` bearer token. It is public (discovery precedes credentials) and
 * holds nothing secret.
 *
 * There is no A2A `message/send` endpoint: the SDK's server side is built on Express, and an A2A
 * task takes free-text messages that this service, which has no model, could only reject or
 * parse by hand. Agents call the MCP tools or the API, which take typed arguments.
 */
export function buildAgentCard(baseUrl: string): AgentCard {
  const skillSecurity = [{ schemes: { [BEARER]: { list: [] } } }];
  return {
    name: SERVICE_NAME,
    description:
      "Two-way appointment SMS on AWS End User Messaging: text a patient numbered appointment slots, read the slot they choose, follow delivery and opt-outs.",
    supportedInterfaces: [],
    provider: undefined,
    version: SERVICE_VERSION,
    documentationUrl: undefined,
    capabilities: { streaming: false, pushNotifications: false, extensions: [] },
    securitySchemes: {
      [BEARER]: {
        scheme: {
          $case: "httpAuthSecurityScheme",
          value: {
            description: "Authorization: Bearer <AGENT_API_TOKEN>, the token of the /v1 API",
            scheme: "bearer",
            bearerFormat: "",
          },
        },
      },
    },
    securityRequirements: skillSecurity,
    defaultInputModes: ["application/json"],
    defaultOutputModes: ["application/json"],
    skills: [
      {
        id: "appointment-messaging",
        name: "Appointment messaging",
        description: `Offer appointment slots by SMS and read the patient's choice. MCP (Streamable HTTP) at ${baseUrl}/mcp: send_appointment_slots, check_user_response; HTTP: POST ${baseUrl}/v1/conversations, GET ${baseUrl}/v1/conversations/{id}.`,
        tags: ["sms", "appointments", "healthcare", "mcp"],
        examples: ["Offer Tue 3:00 PM and Wed 9:30 AM to +14255550100 and tell me which they pick"],
        inputModes: ["application/json"],
        outputModes: ["application/json"],
        securityRequirements: skillSecurity,
      },
      {
        id: "sms-messaging",
        name: "SMS messaging",
        description: `Send a text, follow its delivery status, check a patient's opt-out status. MCP at ${baseUrl}/mcp: send_sms, get_delivery_status, get_opt_out_status; HTTP: POST ${baseUrl}/v1/messages, GET ${baseUrl}/v1/messages/{id}.`,
        tags: ["sms", "delivery-status", "opt-out", "mcp"],
        examples: ["Text +14255550100 a reminder and tell me when it is delivered"],
        inputModes: ["application/json"],
        outputModes: ["application/json"],
        securityRequirements: skillSecurity,
      },
    ],
    signatures: [],
  };
}

/** `GET /.well-known/agent-card.json` (the A2A discovery path). */
export function registerAgentCard(
  app: FastifyInstance,
  deps: { publicBaseUrl: string | undefined },
): void {
  app.get("/.well-known/agent-card.json", async (request, reply) => {
    // Loaded on first use: the SDK's JSON codec pulls in an ES-module-only dependency (jose) that
    // Node loads with require(esm) but that the rest of the service, and its tests, never need.
    const { A2A_PROTOCOL_VERSION, AgentCard } = await import("@a2a-js/sdk");
    const card = buildAgentCard(deps.publicBaseUrl ?? requestBaseUrl(request));
    return reply
      .header("a2a-version", A2A_PROTOCOL_VERSION)
      .type("application/json")
      .send(JSON.stringify(AgentCard.toJSON(card)));
  });
}

/** Behind the load balancer the scheme is in x-forwarded-proto; set PUBLIC_BASE_URL to pin it. */
function requestBaseUrl(request: FastifyRequest): string {
  const forwarded = request.headers["x-forwarded-proto"];
  const proto = forwarded === "https" || forwarded === "http" ? forwarded : request.protocol;
  return `${proto}://${request.host}`;
}
