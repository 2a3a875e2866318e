import type { McpServer } from "@modelcontextprotocol/server";
import { z } from "zod";
import type { Caller } from "../conversations/caller";
import { AppError } from "../errors";
import type { McpToolDeps } from "./mcpToolDeps";
import { conversationId, conversationView, phoneNumber } from "./schemas";
import { conversationSummary, toolResult } from "./toolResult";

const appointmentSlot = z.object({
  slot_number: z.number().int().min(1).max(9),
  date: z.string().min(1).max(60),
  time: z.string().min(1).max(60),
  provider: z.string().max(200).optional(),
  cost_estimate: z.union([z.string().max(60), z.number()]).optional(),
});
export type AppointmentSlot = z.infer<typeof appointmentSlot>;

/**
 * HIPAA's minimum necessary: the patient needs a date and a time to choose a slot. A provider's
 * name can reveal the kind of care (an oncologist, a psychiatrist) to whoever sees the lock
 * screen, and a cost estimate is financial information about the patient's care; neither is
 * needed to choose, so neither goes into the text. The agent keeps them and can tell the patient
 * through a channel that authenticates them.
 */
export function slotLabel(slot: AppointmentSlot): string {
  return `${slot.date.trim()} ${slot.time.trim()}`;
}

/** Slots in the order of their numbers, which must run 1..n as the text numbers them. */
export function orderedSlotLabels(slots: readonly AppointmentSlot[]): string[] {
  const ordered = [...slots].sort((a, b) => a.slot_number - b.slot_number);
  ordered.forEach((slot, i) => {
    if (slot.slot_number !== i + 1) {
      throw new AppError("INVALID_SLOTS", "slot_number values must be 1, 2, 3, ... without gaps");
    }
  });
  return ordered.map(slotLabel);
}

const guideState = z.object({
  conversation_id: z.string(),
  status: z.enum(["awaiting_reply", "replied", "opted_out"]),
  has_response: z.boolean(),
  selected_slot: z.number().int().nullable(),
  selected_slot_label: z.string().nullable(),
  response_text: z.string().nullable(),
});

/**
 * The tool names and argument shapes of the setup guide's `messaging_mcp.py`, so an agent written
 * against it works unchanged. They map onto the same service calls as the native tools.
 */
export function registerGuideTools(server: McpServer, deps: McpToolDeps, caller: Caller): void {
  const { service, log } = deps;
  const state = async (id: string): Promise<z.infer<typeof guideState>> => {
    const view = await service.getConversation(id, caller);
    const last = view.replies[view.replies.length - 1];
    return {
      conversation_id: view.conversationId,
      status: view.status,
      has_response: view.replies.length > 0,
      selected_slot: view.selectedSlot?.number ?? null,
      selected_slot_label: view.selectedSlot?.label ?? null,
      response_text: last?.text ?? null,
    };
  };
  const stateSummary = (r: Record<string, unknown>): string =>
    r.selected_slot !== null
      ? `Conversation ${String(r.conversation_id)}: patient chose slot ${String(r.selected_slot)}.`
      : `Conversation ${String(r.conversation_id)}: ${String(r.status)}.`;

  server.registerTool(
    "send_appointment_sms",
    {
      title: "Send appointment slots (setup-guide shape)",
      description:
        "Setup-guide compatible form of send_appointment_slots. Only each slot's date and time are texted: " +
        "provider and cost_estimate are accepted but left out of the SMS (HIPAA minimum necessary).",
      inputSchema: z.object({
        phone_number: phoneNumber,
        appointment_slots: z.array(appointmentSlot).min(1).max(9),
        conversation_id: conversationId,
      }),
      outputSchema: z.object({
        success: z.boolean(),
        conversation_id: z.string(),
        message_id: z.string(),
        slots_sent: z.number().int(),
      }),
      annotations: { destructiveHint: false, idempotentHint: false, openWorldHint: true },
    },
    async (args) =>
      toolResult(
        log,
        (r) => `Sent ${String(r.slots_sent)} slot(s); conversation ${String(r.conversation_id)}.`,
        async () => {
          const slots = orderedSlotLabels(args.appointment_slots);
          const result = await service.startConversation(
            { to: args.phone_number, slots, conversationId: args.conversation_id },
            caller,
          );
          return {
            success: true,
            conversation_id: args.conversation_id,
            message_id: result.messageId,
            slots_sent: slots.length,
          };
        },
      ),
  );

  server.registerTool(
    "check_sms_response",
    {
      title: "Check the SMS response (setup-guide shape)",
      description: "Setup-guide compatible form of check_user_response.",
      inputSchema: z.object({ conversation_id: conversationId }),
      outputSchema: guideState,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ conversation_id }) => toolResult(log, stateSummary, () => state(conversation_id)),
  );

  server.registerTool(
    "get_conversation_state",
    {
      title: "Get the conversation state (setup-guide shape)",
      description: "The whole conversation: status, slots, replies, selected slot, delivery.",
      inputSchema: z.object({ conversation_id: conversationId }),
      outputSchema: conversationView,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ conversation_id }) =>
      toolResult(log, conversationSummary, async () => ({
        ...(await service.getConversation(conversation_id, caller)),
      })),
  );

  const loop = deps.localLoop;
  if (loop === undefined) return; // a simulated reply must not exist where real patients text
  server.registerTool(
    "simulate_user_sms_response",
    {
      title: "Simulate the patient's reply (mock mode only)",
      description:
        "Local development only: the patient of the conversation replies with `response`, through the same path as a real inbound SMS.",
      inputSchema: z.object({
        conversation_id: conversationId,
        response: z.string().min(1).max(1600),
      }),
      outputSchema: guideState,
      annotations: { destructiveHint: false, openWorldHint: false },
    },
    async ({ conversation_id, response }) =>
      toolResult(log, stateSummary, async () => {
        await loop.inbound({ conversationId: conversation_id, text: response }, caller);
        return state(conversation_id);
      }),
  );
}
