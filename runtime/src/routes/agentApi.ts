import type { FastifyInstance } from "fastify";
import { agentCaller, requireAgentToken } from "../auth/agentAuth";
import type { SecretCheck } from "../auth/rotatingSecret";
import type {
  ConsentRequest,
  ConversationService,
  SendMessageRequest,
  StartConversationRequest,
} from "../conversations/conversationService";
import { AppError } from "../errors";

/** The largest batch: one request, many sends, each with its own answer. */
export const MAX_BATCH_SIZE = 1000;

const idempotencyKey = {
  type: "string",
  minLength: 1,
  maxLength: 128,
  pattern: "^[A-Za-z0-9_.:-]+$",
};
const phoneNumber = { type: "string", minLength: 2, maxLength: 20 };
const id = { type: "string", minLength: 1, maxLength: 128, pattern: "^[A-Za-z0-9_-]+$" };
const error = {
  type: "object",
  properties: { code: { type: "string" }, message: { type: "string" } },
};
const delivery = {
  type: "object",
  properties: { status: { type: "string" }, final: { type: "boolean" } },
};
// The outbound queue's optional fields (issue 12); their meaning is checked in `sendTiming.ts`.
const timing = {
  sendAt: { type: "string", minLength: 1, maxLength: 64 },
  timeZone: { type: "string", minLength: 1, maxLength: 64 },
  consentScope: { type: "string", minLength: 1, maxLength: 64, pattern: "^[A-Za-z0-9_.:-]+$" },
};
const verdict = {
  type: "object",
  properties: {
    decision: { type: "string" },
    ruleIds: { type: "array", items: { type: "string" } },
    until: { type: "string" },
    code: { type: "string" },
    clearsAt: { type: "string" },
    decidedAt: { type: "string" },
  },
};
const sendState = {
  sendId: { type: "string" },
  status: { type: "string" },
  dueAt: { type: "string" },
  verdict,
};
const sendMessageBody = {
  type: "object",
  additionalProperties: false,
  required: ["to", "body"],
  properties: {
    to: phoneNumber,
    body: { type: "string", minLength: 1, maxLength: 1600 },
    idempotencyKey,
    ...timing,
  },
};
const acceptedSend = {
  type: "object",
  properties: {
    messageId: { type: "string" },
    ...sendState,
    parts: { type: "integer" },
    encoding: { type: "string" },
  },
};

const sendMessageSchema = {
  body: sendMessageBody,
  response: { 202: acceptedSend, "4xx": error, "5xx": error },
};

const sendBatchSchema = {
  body: {
    type: "object",
    additionalProperties: false,
    required: ["messages"],
    // Items are checked one by one (a malformed item is that item's error, not the batch's).
    properties: {
      messages: { type: "array", minItems: 1, maxItems: MAX_BATCH_SIZE, items: { type: "object" } },
    },
  },
  response: {
    200: {
      type: "object",
      properties: {
        results: {
          type: "array",
          items: {
            type: "object",
            properties: {
              index: { type: "integer" },
              ...acceptedSend.properties,
              code: { type: "string" },
              message: { type: "string" },
              httpStatus: { type: "integer" },
            },
          },
        },
      },
    },
    "4xx": error,
    "5xx": error,
  },
};

const consentSchema = {
  body: {
    type: "object",
    additionalProperties: false,
    required: ["to", "scope", "source", "capturedAt"],
    properties: {
      to: phoneNumber,
      scope: timing.consentScope,
      source: { type: "string", minLength: 1, maxLength: 64, pattern: "^[A-Za-z0-9_.:/ -]+$" },
      capturedAt: { type: "string", minLength: 1, maxLength: 64 },
      evidenceRef: { type: "string", minLength: 1, maxLength: 128, pattern: "^[A-Za-z0-9_.:/-]+$" },
    },
  },
  response: {
    200: {
      type: "object",
      properties: {
        scope: { type: "string" },
        granted: { type: "boolean" },
        applied: { type: "boolean" },
        recordedAt: { type: "string" },
      },
    },
    "4xx": error,
    "5xx": error,
  },
};

const startConversationSchema = {
  body: {
    type: "object",
    additionalProperties: false,
    required: ["to", "slots"],
    properties: {
      to: phoneNumber,
      slots: {
        type: "array",
        minItems: 1,
        maxItems: 9,
        items: { type: "string", minLength: 1, maxLength: 200 },
      },
      intro: { type: "string", maxLength: 600 },
      conversationId: { type: "string", minLength: 1, maxLength: 64, pattern: "^[A-Za-z0-9_-]+$" },
      idempotencyKey,
      ...timing,
    },
  },
  response: {
    201: {
      type: "object",
      properties: {
        conversationId: { type: "string" },
        messageId: { type: "string" },
        ...sendState,
      },
    },
    "4xx": error,
    "5xx": error,
  },
};

const getConversationSchema = {
  params: { type: "object", required: ["id"], properties: { id } },
  response: {
    200: {
      type: "object",
      properties: {
        conversationId: { type: "string" },
        status: { type: "string", enum: ["awaiting_reply", "replied", "opted_out"] },
        selectedSlot: {
          type: "object",
          properties: { number: { type: "integer" }, label: { type: "string" } },
        },
        slots: { type: "array", items: { type: "string" } },
        replies: {
          type: "array",
          items: {
            type: "object",
            properties: { receivedAt: { type: "string" }, text: { type: "string" } },
          },
        },
        delivery,
        createdAt: { type: "string" },
      },
    },
    "4xx": error,
    "5xx": error,
  },
};

const getMessageSchema = {
  params: {
    type: "object",
    required: ["id"],
    properties: { id: { ...id, pattern: "^[A-Za-z0-9_.:/+=-]+$" } },
  },
  response: {
    200: {
      type: "object",
      properties: {
        messageId: { type: "string" },
        conversationId: { type: "string" },
        parts: { type: "integer" },
        encoding: { type: "string" },
        sentAt: { type: "string" },
        delivery,
        ...sendState,
        requestedAt: { type: "string" },
        attempts: {
          type: "array",
          items: {
            type: "object",
            properties: {
              at: { type: "string" },
              outcome: { type: "string" },
              messageId: { type: "string" },
              code: { type: "string" },
              deliveryStatus: { type: "string" },
            },
          },
        },
      },
    },
    "4xx": error,
    "5xx": error,
  },
};

const cancelMessageSchema = {
  params: getMessageSchema.params,
  response: {
    200: {
      type: "object",
      properties: {
        messageId: { type: "string" },
        sendId: { type: "string" },
        status: { type: "string" },
      },
    },
    "4xx": error,
    "5xx": error,
  },
};

/** The agent API: bearer-token authenticated, JSON in and out, errors as `{code, message}`. */
export function registerAgentApi(
  app: FastifyInstance,
  deps: { service: ConversationService; agentApiToken: SecretCheck },
): void {
  void app.register(async (api) => {
    api.addHook("onRequest", async (request, reply) => {
      requireAgentToken(request, reply, deps.agentApiToken);
      const contentType = request.headers["content-type"];
      if (request.method === "POST" && !/^application\/json\b/i.test(contentType ?? "")) {
        throw new AppError("UNSUPPORTED_MEDIA_TYPE", "send Content-Type: application/json");
      }
    });

    api.post<{ Body: SendMessageRequest }>(
      "/v1/messages",
      { schema: sendMessageSchema },
      async (request, reply) => {
        const sent = await deps.service.sendMessage(request.body, agentCaller(request));
        return reply.code(202).send(sent);
      },
    );

    api.post<{ Body: { messages: unknown[] } }>(
      "/v1/messages/batch",
      { schema: sendBatchSchema },
      async (request) => {
        const validItem = request.compileValidationSchema(sendMessageBody);
        const caller = agentCaller(request);
        const items = request.body.messages;
        const valid: SendMessageRequest[] = [];
        const positions: number[] = [];
        const invalid = new Map<number, Record<string, unknown>>();
        items.forEach((item, index) => {
          if (validItem(item)) {
            valid.push(item as SendMessageRequest);
            positions.push(index);
          } else {
            invalid.set(index, {
              index,
              status: "error",
              code: "INVALID_REQUEST",
              message: "this item is not a valid send (to, body and optional fields)",
              httpStatus: 400,
            });
          }
        });
        const accepted = await deps.service.sendBatch(valid, caller);
        const results = items.map(
          (_item, index) =>
            invalid.get(index) ?? {
              ...accepted[positions.indexOf(index)],
              index,
            },
        );
        return { results };
      },
    );

    api.delete<{ Params: { id: string } }>(
      "/v1/messages/:id",
      { schema: cancelMessageSchema },
      async (request) => deps.service.cancelSend(request.params.id, agentCaller(request)),
    );

    api.post<{ Body: ConsentRequest }>("/v1/consents", { schema: consentSchema }, async (request) =>
      deps.service.recordConsent(request.body, true, agentCaller(request)),
    );

    api.delete<{ Body: ConsentRequest }>(
      "/v1/consents",
      { schema: consentSchema },
      async (request) => deps.service.recordConsent(request.body, false, agentCaller(request)),
    );

    api.post<{ Body: StartConversationRequest }>(
      "/v1/conversations",
      { schema: startConversationSchema },
      async (request, reply) => {
        const started = await deps.service.startConversation(request.body, agentCaller(request));
        return reply.code(201).send(started);
      },
    );

    api.get<{ Params: { id: string } }>(
      "/v1/conversations/:id",
      { schema: getConversationSchema },
      async (request) => deps.service.getConversation(request.params.id, agentCaller(request)),
    );

    api.get<{ Params: { id: string } }>(
      "/v1/messages/:id",
      { schema: getMessageSchema },
      async (request) => deps.service.getMessage(request.params.id, agentCaller(request)),
    );
  });
}
