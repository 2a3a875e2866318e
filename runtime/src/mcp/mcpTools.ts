import { McpServer } from "@modelcontextprotocol/server";
import { SERVICE_NAME } from "./serviceInfo";
import { z } from "zod";
import type { Caller } from "../conversations/caller";
import { validateDestination } from "../conversations/agentRequests";
import { registerGuideTools } from "./guideTools";
import type { McpToolDeps } from "./mcpToolDeps";
import {
  conversationId,
  conversationView,
  delivery,
  idempotencyKey,
  messageId,
  phoneNumber,
  sendState,
  sendTiming,
} from "./schemas";
import { conversationSummary, toolResult } from "./toolResult";

/**
 * One MCP server instance per request (the endpoint is stateless), bound to the caller the
 * request authenticated as. Every tool calls `ConversationService`, the layer behind `/v1`, so
 * audit events, opt-out checks, idempotency and send pacing are the API's own.
 */
export function buildMcpServer(deps: McpToolDeps, caller: Caller): McpServer {
  const server = new McpServer(
    { name: SERVICE_NAME, version: deps.version },
    { instructions: INSTRUCTIONS },
  );
  const { service, log } = deps;

  server.registerTool(
    "send_sms",
    {
      title: "Send an SMS",
      description:
        "Send one text message to a patient, now or at sendAt. The status says whether it was sent, " +
        "queued (waiting for the number's rate), scheduled, or deferred (quiet hours). Refused with " +
        "PATIENT_OPTED_OUT after STOP, CONSENT_REQUIRED without consent, FREQUENCY_CAP_REACHED.",
      inputSchema: z.object({
        to: phoneNumber,
        body: z.string().min(1).max(1600),
        idempotencyKey: idempotencyKey.optional(),
        ...sendTiming,
      }),
      outputSchema: z.object({
        messageId: z.string(),
        ...sendState,
        parts: z.number().int().optional(),
        encoding: z.string().optional(),
      }),
      annotations: { destructiveHint: false, idempotentHint: false, openWorldHint: true },
    },
    async (args) =>
      toolResult(
        log,
        (r) =>
          r.status === "sent"
            ? `Sent message ${String(r.messageId)} (${String(r.parts)} part(s)).`
            : `Message ${String(r.sendId)} is ${String(r.status)}${r.dueAt ? ` until ${String(r.dueAt)}` : ""}.`,
        () => service.sendMessage(args, caller),
      ),
  );

  server.registerTool(
    "send_appointment_slots",
    {
      title: "Offer appointment slots by SMS",
      description:
        "Start a conversation: text the patient numbered appointment slots and let them reply with a number. " +
        "Use check_user_response with the returned conversationId to read the choice.",
      inputSchema: z.object({
        to: phoneNumber,
        slots: z.array(z.string().min(1).max(200)).min(1).max(9),
        intro: z.string().max(600).optional(),
        conversationId: conversationId.optional(),
        idempotencyKey: idempotencyKey.optional(),
        ...sendTiming,
      }),
      outputSchema: z.object({ conversationId: z.string(), messageId: z.string(), ...sendState }),
      annotations: { destructiveHint: false, idempotentHint: false, openWorldHint: true },
    },
    async (args) =>
      toolResult(
        log,
        (r) =>
          r.status === "sent"
            ? `Sent the slots; conversation ${String(r.conversationId)} awaits a reply.`
            : `The slots are ${String(r.status)}${r.dueAt ? ` until ${String(r.dueAt)}` : ""}; conversation ${String(r.conversationId)} awaits a reply once sent.`,
        () => service.startConversation(args, caller),
      ),
  );

  server.registerTool(
    "check_user_response",
    {
      title: "Check the patient's response",
      description:
        "Status of a conversation: awaiting_reply, replied or opted_out; the selected slot if the patient chose one; replies; delivery status.",
      inputSchema: z.object({ conversationId }),
      outputSchema: conversationView,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ conversationId: id }) =>
      toolResult(log, conversationSummary, async () => ({
        ...(await service.getConversation(id, caller)),
      })),
  );

  server.registerTool(
    "get_delivery_status",
    {
      title: "Get a message's delivery status",
      description:
        "The carrier delivery status of a sent message (SENT, DELIVERED, FAILED, ...) and whether it is final; " +
        "for a queued or scheduled message (by its send id) its status, due time, attempts and verdict.",
      inputSchema: z.object({ messageId }),
      outputSchema: z.object({
        messageId: z.string(),
        conversationId: z.string().optional(),
        parts: z.number().int().optional(),
        encoding: z.string().optional(),
        sentAt: z.string().optional(),
        delivery: delivery.optional(),
        sendId: z.string().optional(),
        status: z.string().optional(),
        dueAt: z.string().optional(),
        requestedAt: z.string().optional(),
        attempts: z.array(z.record(z.string(), z.unknown())).optional(),
        verdict: sendState.verdict,
      }),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ messageId: id }) =>
      toolResult(
        log,
        (r) => {
          const d = r.delivery as { status: string; final: boolean } | undefined;
          if (!d) return `Message ${id}: ${String(r.status)}.`;
          return `Message ${id}: ${d.status}${d.final ? " (final)" : ""}.`;
        },
        () => service.getMessage(id, caller),
      ),
  );

  server.registerTool(
    "get_opt_out_status",
    {
      title: "Get a patient's opt-out status",
      description:
        "Whether the number opted out (STOP): from this service's record and, outside mock mode, End User Messaging's opt-out list.",
      inputSchema: z.object({ to: phoneNumber }),
      outputSchema: z.object({
        optedOut: z.boolean(),
        service: z.boolean(),
        endUserMessaging: z.boolean().optional(),
      }),
      annotations: { readOnlyHint: true, openWorldHint: true },
    },
    async ({ to }) =>
      toolResult(
        log,
        (r) => (r.optedOut ? "The patient opted out." : "The patient has not opted out."),
        async () => {
          validateDestination(to);
          return { ...(await deps.optOuts.read(to, caller)) };
        },
      ),
  );

  registerGuideTools(server, deps, caller);
  return server;
}

const INSTRUCTIONS =
  "Two-way appointment SMS on AWS End User Messaging. Offer slots with send_appointment_slots, " +
  "then poll check_user_response until the status is replied or opted_out. Texts are PHI: send " +
  "dates and times, not diagnoses, providers' names or costs.";
