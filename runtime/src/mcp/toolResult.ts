import type { CallToolResult } from "@modelcontextprotocol/server";
import type { Logger } from "pino";
import { AppError } from "../errors";
import { toHttpError } from "../httpErrors";

/**
 * Runs a tool body and shapes its answer: `structuredContent` plus a short text on success; on a
 * failure a tool error (`isError`) carrying the API's stable code and its PHI-free message. A
 * failure that is not an `AppError` is logged here and answered as INTERNAL, never with its
 * message or stack, which might quote input.
 */
export async function toolResult(
  log: Logger,
  summary: (value: Record<string, unknown>) => string,
  run: () => Promise<Record<string, unknown>>,
): Promise<CallToolResult> {
  try {
    const value = await run();
    return { content: [{ type: "text", text: summary(value) }], structuredContent: value };
  } catch (err) {
    // The HTTP API's mapping: the same code and message an agent gets from `/v1`.
    const { code, message } = toHttpError(err);
    if (!(err instanceof AppError) || err.statusCode >= 500) {
      log.error({ err, code }, "mcp tool failed");
    }
    return {
      isError: true,
      content: [{ type: "text", text: `${code}: ${message}` }],
      structuredContent: { code, message },
    };
  }
}

export function conversationSummary(r: Record<string, unknown>): string {
  const slot = r.selectedSlot as { number: number; label: string } | undefined;
  const status = String(r.status);
  return slot
    ? `Conversation ${String(r.conversationId)}: ${status}, slot ${slot.number} (${slot.label}).`
    : `Conversation ${String(r.conversationId)}: ${status}.`;
}
