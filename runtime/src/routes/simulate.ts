import type { SecretCheck } from "../auth/rotatingSecret";
import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import type { Caller, ConversationService } from "../conversations/conversationService";
import type { InboundSms } from "../conversations/inboundSms";
import { AppError } from "../errors";
import { agentCaller, requireAgentToken } from "../auth/agentAuth";
import { isE164PhoneNumber } from "../sms/phoneNumber";
import type { MockSmsGateway } from "../sms/mockSmsGateway";

export interface SimulatedInbound {
  conversationId?: string;
  to?: string;
  text: string;
}

/** The number the simulated patient texts when the mock outbox names none in E.164. */
const LOCAL_SERVICE_NUMBER = "+18005550100";

/**
 * The local loop (mock mode only): what a patient's reply would do, without SNS. An inbound
 * text goes through `ConversationService.receiveInbound`, the path a verified SNS delivery takes
 * (keywords, slot matching, opt-outs, audit), carrying the id of the message it answers as SNS
 * would. The patient's number comes from the mock outbox, so only texts this process sent can be
 * answered by conversation id.
 */
export class LocalLoop {
  constructor(
    private readonly service: ConversationService,
    private readonly gateway: MockSmsGateway,
  ) {}

  async inbound(
    request: SimulatedInbound,
    caller: Caller,
  ): Promise<{ status: "stored" | "duplicate"; inboundMessageId: string }> {
    if (request.text.length === 0 || request.text.length > 1600) {
      throw new AppError("INVALID_BODY", "text must be 1 to 1600 characters");
    }
    let patient: string;
    let previous: { messageId: string; originationIdentity: string | undefined } | undefined;
    if (request.conversationId !== undefined) {
      const sent = this.gateway.latestTo({ conversationId: request.conversationId });
      if (!sent) throw new AppError("NOT_FOUND", "no text of that conversation in the mock outbox");
      patient = sent.destinationPhoneNumber;
      previous = sent;
    } else if (request.to !== undefined) {
      if (!isE164PhoneNumber(request.to)) {
        throw new AppError(
          "INVALID_PHONE_NUMBER",
          "to must be a valid phone number in E.164 format, e.g. +14255550100",
        );
      }
      patient = request.to;
      previous = this.gateway.latestTo({ destinationPhoneNumber: request.to });
    } else {
      throw new AppError("INVALID_REQUEST", "give conversationId or to");
    }
    const origination = previous?.originationIdentity;
    const sms: InboundSms = {
      originationNumber: patient,
      destinationNumber:
        origination !== undefined && /^\+[1-9]\d{1,14}$/.test(origination)
          ? origination
          : LOCAL_SERVICE_NUMBER,
      messageBody: request.text,
      inboundMessageId: `simulated-${randomUUID()}`,
      ...(previous ? { previousPublishedMessageId: previous.messageId } : {}),
    };
    const outcome = await this.service.receiveInbound(sms, `simulated-${randomUUID()}`, {
      ...caller,
      actor: `simulate:${caller.actor}`,
    });
    return {
      status: outcome === "created" ? "stored" : "duplicate",
      inboundMessageId: sms.inboundMessageId,
    };
  }
}

const simulateInboundSchema = {
  body: {
    type: "object",
    additionalProperties: false,
    required: ["text"],
    properties: {
      conversationId: { type: "string", minLength: 1, maxLength: 64, pattern: "^[A-Za-z0-9_-]+$" },
      to: { type: "string", minLength: 2, maxLength: 20 },
      text: { type: "string", minLength: 1, maxLength: 1600 },
    },
  },
};

/**
 * `POST /v1/simulate/inbound` and `GET /v1/simulate/outbox`, registered only in mock mode (see
 * `LOCAL_LOOP`); elsewhere they answer 404 like any unknown route.
 */
export function registerSimulateRoutes(
  app: FastifyInstance,
  deps: { loop: LocalLoop; gateway: MockSmsGateway; agentApiToken: SecretCheck },
): void {
  void app.register(async (api) => {
    api.addHook("onRequest", async (request, reply) => {
      requireAgentToken(request, reply, deps.agentApiToken);
    });
    api.post<{ Body: SimulatedInbound }>(
      "/v1/simulate/inbound",
      { schema: simulateInboundSchema },
      async (request, reply) => {
        const result = await deps.loop.inbound(request.body, agentCaller(request));
        return reply.code(202).send(result);
      },
    );
    api.get<{ Querystring: { conversationId?: string } }>(
      "/v1/simulate/outbox",
      async (request) => {
        const conversationId = request.query.conversationId;
        // The developer's own test numbers and texts, in mock mode only: this is the point of it.
        const messages = deps.gateway
          .outbox()
          .filter((m) => conversationId === undefined || m.conversationId === conversationId);
        return { messages };
      },
    );
  });
}
