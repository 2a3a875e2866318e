import type { FastifyInstance } from "fastify";
import { agentCaller, requireAgentToken } from "../auth/agentAuth";
import type { SecretCheck } from "../auth/rotatingSecret";
import type {
  ConversationService,
  SendMessageRequest,
  StartConversationRequest,
} from "../conversations/conversationService";
import { AppError } from "../errors";

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

const sendMessageSchema = {
  body: {
    type: "object",
    additionalProperties: false,
    required: ["to", "body"],
    properties: {
      to: phoneNumber,
      body: { type: "string", minLength: 1, maxLength: 1600 },
      idempotencyKey,
    },
  },
  response: {
    202: {
      type: "object",
      properties: {
        messageId: { type: "string" },
        parts: { type: "integer" },
        encoding: { type: "string" },
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
    },
  },
  response: {
    201: {
      type: "object",
      properties: { conversationId: { type: "string" }, messageId: { type: "string" } },
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
