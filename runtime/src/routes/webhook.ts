import type { FastifyInstance, FastifyRequest } from "fastify";
import { comparableSecret, type SecretCheck } from "../auth/rotatingSecret";
import { WEBHOOK_PATH } from "../contract/runtimeContract";
import type { Caller, ConversationService } from "../conversations/conversationService";
import { parseInboundSms } from "../conversations/inboundSms";
import { AppError, type ErrorCode } from "../errors";
import { noteOutcome } from "../logging/requestLine";
import { isEventBridgeShaped, parseSmsVoiceEvent } from "../eventbridge/smsVoiceEvents";
import type { CertificateSource } from "../sns/certificateSource";
import {
  isSnsShaped,
  parseSnsMessage,
  SnsMessageFormatError,
  type SnsMessage,
} from "../sns/snsMessage";
import {
  ConfirmSubscriptionFailedError,
  SubscribeUrlError,
  type SubscriptionConfirmer,
} from "../sns/subscriptionConfirmer";
import { SnsVerificationError, verifySnsMessage, type SnsRejection } from "../sns/verifySnsMessage";

export interface WebhookDeps {
  service: ConversationService;
  certificates: CertificateSource;
  subscriptionConfirmer: SubscriptionConfirmer;
  allowedTopicArns: readonly string[];
  eventBridgeApiKey: SecretCheck | undefined;
  eventBridgeApiKeyHeader: string;
  now: () => Date;
}

/**
 * `POST /sms/webhook` takes two callers on one path: SNS (inbound SMS, subscription messages),
 * proven by its signature, and EventBridge API destinations (delivery and registration events),
 * proven by the connection's API key. 2xx means stored; 5xx asks AWS to retry; 4xx is final.
 */
export function registerWebhook(app: FastifyInstance, deps: WebhookDeps): void {
  const eventBridge: EventBridgeDeps = {
    service: deps.service,
    apiKey:
      deps.eventBridgeApiKey === undefined ? undefined : comparableSecret(deps.eventBridgeApiKey),
    apiKeyHeader: deps.eventBridgeApiKeyHeader,
    now: deps.now,
  };
  app.post(WEBHOOK_PATH, async (request, reply) => {
    const body = request.body;
    const snsType = request.headers["x-amz-sns-message-type"];
    if (snsType !== undefined || isSnsShaped(body)) {
      const result = await handleSns(request, body, snsType, deps);
      return reply.code(200).send(result);
    }
    if (request.headers[deps.eventBridgeApiKeyHeader] !== undefined || isEventBridgeShaped(body)) {
      const result = await handleEventBridge(request, body, eventBridge);
      return reply.code(200).send(result);
    }
    throw new AppError("UNRECOGNISED_CALLER", "expected an SNS message or an EventBridge event");
  });
}

async function handleSns(
  request: FastifyRequest,
  body: unknown,
  headerType: string | string[] | undefined,
  deps: WebhookDeps,
): Promise<{ status: string }> {
  let message: SnsMessage;
  try {
    message = parseSnsMessage(body);
  } catch (err) {
    if (err instanceof SnsMessageFormatError)
      throw new AppError("INVALID_SNS_MESSAGE", err.message);
    throw err;
  }
  if (headerType !== undefined && headerType !== message.Type) {
    throw new AppError(
      "INVALID_SNS_MESSAGE",
      "x-amz-sns-message-type differs from the body's Type",
    );
  }
  try {
    await verifySnsMessage(message, {
      allowedTopicArns: deps.allowedTopicArns,
      certificates: deps.certificates,
      now: deps.now,
      // Per-sender budgets apply to traffic that came through the load balancer, which names the
      // sender; direct callers (local runs, tests on loopback) share the global budget only.
      ...(request.headers["x-forwarded-for"] !== undefined ? { requester: request.ip } : {}),
    });
  } catch (err) {
    if (!(err instanceof SnsVerificationError)) throw err;
    // The message is unauthenticated here: its MessageId is logged only when it has the shape
    // of an SNS MessageId (a UUID), never as given.
    request.log.warn(
      {
        reason: err.reason,
        snsMessageId: loggableSnsMessageId(message.MessageId),
        snsType: message.Type,
      },
      "sns message rejected",
    );
    throw verificationHttpError(err);
  }
  const caller: Caller = {
    actor: "aws:sns",
    requestId: request.id,
    noteOutcome: (msg, fields) => noteOutcome(request, msg, fields),
  };

  switch (message.Type) {
    case "SubscriptionConfirmation":
      try {
        await deps.subscriptionConfirmer.confirm(message);
      } catch (err) {
        // Only a URL that fails the checks is final; a failed or non-200 ConfirmSubscription
        // call (or anything unexpected) is retried by SNS, which redelivers the confirmation.
        if (err instanceof SubscribeUrlError) {
          throw new AppError("BAD_SUBSCRIBE_URL", err.message);
        }
        request.log.error(
          {
            err,
            ...(err instanceof ConfirmSubscriptionFailedError && err.httpStatus !== undefined
              ? { confirmStatus: err.httpStatus }
              : {}),
          },
          "subscription confirmation failed",
        );
        throw new AppError("CONFIRMATION_FAILED", "could not confirm the subscription; retry");
      }
      request.log.info({ snsMessageId: message.MessageId }, "sns subscription confirmed");
      return { status: "confirmed" };
    case "UnsubscribeConfirmation":
      // Nothing to undo here; the record in the log is what operators need to notice it.
      request.log.warn({ snsMessageId: message.MessageId }, "sns subscription was unsubscribed");
      return { status: "acknowledged" };
    case "Notification": {
      const sms = parseInboundSms(message.Message);
      const outcome = await deps.service.receiveInbound(sms, message.MessageId, caller);
      return { status: outcome === "created" ? "stored" : "duplicate" };
    }
  }
}

function verificationHttpError(err: SnsVerificationError): AppError {
  switch (err.reason) {
    case "CERT_UNAVAILABLE":
      // Possibly transient (the certificate host did not answer): let SNS retry.
      return new AppError("SNS_CERT_UNAVAILABLE", "the signing certificate could not be fetched");
    default:
      return new AppError(SNS_REJECTION_CODES[err.reason], err.message);
  }
}

/** The code each refusal answers with (its status in the error registry). */
const SNS_REJECTION_CODES: Record<SnsRejection, ErrorCode> = {
  TOPIC_NOT_ALLOWED: "SNS_TOPIC_NOT_ALLOWED",
  UNSUPPORTED_SIGNATURE_VERSION: "SNS_UNSUPPORTED_SIGNATURE_VERSION",
  BAD_TIMESTAMP: "SNS_BAD_TIMESTAMP",
  STALE_TIMESTAMP: "SNS_STALE_TIMESTAMP",
  BAD_CERT_URL: "SNS_BAD_CERT_URL",
  CERT_UNAVAILABLE: "SNS_CERT_UNAVAILABLE",
  BAD_SIGNATURE: "SNS_BAD_SIGNATURE",
};

/** What the EventBridge half needs, made once: the API key is hashed here, not per request. */
interface EventBridgeDeps {
  service: ConversationService;
  apiKey: { matches(presented: string): boolean } | undefined;
  apiKeyHeader: string;
  now: () => Date;
}

async function handleEventBridge(
  request: FastifyRequest,
  body: unknown,
  deps: EventBridgeDeps,
): Promise<{ status: string }> {
  const presented = request.headers[deps.apiKeyHeader];
  if (
    deps.apiKey === undefined ||
    typeof presented !== "string" ||
    !deps.apiKey.matches(presented)
  ) {
    request.log.warn("eventbridge call with a missing or wrong api key");
    throw new AppError("UNAUTHORIZED", "missing or invalid API key");
  }
  const event = parseSmsVoiceEvent(body, { now: deps.now() });
  const caller: Caller = { actor: "aws:eventbridge", requestId: request.id };
  switch (event.kind) {
    case "delivery": {
      const known = await deps.service.recordDelivery(
        event.messageId,
        event.status,
        event.final,
        event.at,
        caller,
      );
      noteOutcome(request, "delivery status event", {
        eventId: event.eventId,
        messageId: event.messageId,
        status: event.status,
        final: event.final,
        known,
      });
      // An unknown message was not sent by this service; retrying cannot change that.
      return { status: known ? "recorded" : "unknown_message" };
    }
    case "registration":
      await deps.service.recordRegistration(event.registrationId, event.status, event.at);
      return { status: "recorded" };
    case "ignored":
      noteOutcome(request, "event ignored", {
        eventId: event.eventId,
        detailType: event.detailType,
      });
      return { status: "ignored" };
  }
}

const SNS_MESSAGE_ID = /^[A-Za-z0-9-]{1,64}$/;

function loggableSnsMessageId(messageId: string): string {
  return SNS_MESSAGE_ID.test(messageId) ? messageId : "[malformed]";
}
