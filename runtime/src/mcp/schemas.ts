import { z } from "zod";

// The same bounds as the `/v1` JSON schemas, so a tool accepts exactly what the API accepts.
export const phoneNumber = z.string().min(2).max(20).describe("E.164, e.g. +14255550100");
export const conversationId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/);
export const idempotencyKey = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_.:-]+$/)
  .describe("Retries with the same key and arguments get the first answer, never a second text");
export const messageId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_.:/+=-]+$/);
export const delivery = z.object({ status: z.string(), final: z.boolean() });
export const conversationView = z.object({
  conversationId: z.string(),
  status: z.enum(["awaiting_reply", "replied", "opted_out"]),
  selectedSlot: z.object({ number: z.number().int(), label: z.string() }).optional(),
  slots: z.array(z.string()),
  replies: z.array(z.object({ receivedAt: z.string(), text: z.string() })),
  delivery,
  createdAt: z.string(),
});
export type ConversationViewOutput = z.infer<typeof conversationView>;

// The outbound queue's optional send fields (issue 12), as `/v1/messages` takes them.
export const sendTiming = {
  sendAt: z
    .string()
    .min(1)
    .max(64)
    .describe("ISO 8601 with an offset: send then (up to 30 days ahead) instead of now")
    .optional(),
  timeZone: z
    .string()
    .min(1)
    .max(64)
    .describe("The patient's IANA time zone for quiet hours; else inferred from the area code")
    .optional(),
  consentScope: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9_.:-]+$/)
    .describe("The consent scope this message needs, e.g. appointment-reminders")
    .optional(),
};
export const verdict = z.object({
  decision: z.string(),
  ruleIds: z.array(z.string()),
  until: z.string().optional(),
  code: z.string().optional(),
  clearsAt: z.string().optional(),
  decidedAt: z.string(),
});
export const sendState = {
  sendId: z.string(),
  status: z.string(),
  dueAt: z.string().optional(),
  verdict: verdict.optional(),
};
