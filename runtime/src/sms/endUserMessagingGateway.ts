import {
  DescribeOptedOutNumbersCommand,
  PinpointSMSVoiceV2Client,
  SendTextMessageCommand,
} from "@aws-sdk/client-pinpoint-sms-voice-v2";
import {
  SmsGatewayError,
  type SendTextRequest,
  type SmsGateway,
  type SmsFailureKind,
} from "./smsGateway";

/**
 * Sends through AWS End User Messaging SMS (`pinpoint-sms-voice-v2` SendTextMessage).
 *
 * The SDK's own retries are off (`maxAttempts: 1`): SendTextMessage has no idempotency token, so
 * retrying a timeout or a 5xx could text a patient twice. The sender retries only throttling,
 * which AWS answers before sending, and paces itself with a token bucket.
 */
export class EndUserMessagingGateway implements SmsGateway {
  constructor(private readonly client: PinpointSMSVoiceV2Client) {}

  static create(region: string): EndUserMessagingGateway {
    return new EndUserMessagingGateway(
      new PinpointSMSVoiceV2Client({
        region,
        maxAttempts: 1,
        // Bounded so a hung call cannot hold an agent request or outlive a shutdown.
        // throwOnRequestTimeout: without it the SDK only warns and keeps waiting.
        requestHandler: {
          connectionTimeout: 2000,
          requestTimeout: 5000,
          throwOnRequestTimeout: true,
        },
      }),
    );
  }

  async sendText(request: SendTextRequest): Promise<{ messageId: string }> {
    try {
      const result = await this.client.send(
        new SendTextMessageCommand({
          DestinationPhoneNumber: request.destinationPhoneNumber,
          MessageBody: request.body,
          OriginationIdentity: request.originationIdentity,
          ConfigurationSetName: request.configurationSetName,
          MessageType: "TRANSACTIONAL",
          Context: { ...request.context },
        }),
      );
      if (!result.MessageId) throw new SmsGatewayError("unknown", "MissingMessageId");
      return { messageId: result.MessageId };
    } catch (err) {
      if (err instanceof SmsGatewayError) throw err;
      throw classifySendError(err);
    }
  }

  /**
   * Looks the number up in the opt-out list (`DescribeOptedOutNumbers` with that one number). A
   * number not on the list comes back as an empty result or, as the API reference allows, as
   * ResourceNotFoundException for the opted-out number; a missing list is an error.
   */
  async isOptedOut(phoneNumber: string, optOutListName: string): Promise<boolean> {
    try {
      const result = await this.client.send(
        new DescribeOptedOutNumbersCommand({
          OptOutListName: optOutListName,
          OptedOutNumbers: [phoneNumber],
        }),
      );
      return (result.OptedOutNumbers ?? []).some((n) => n.OptedOutNumber === phoneNumber);
    } catch (err) {
      const e = err as { name?: unknown; ResourceType?: unknown };
      if (e.name === "ResourceNotFoundException" && e.ResourceType === "opted-out-number") {
        return false;
      }
      throw classifySendError(err);
    }
  }

  destroy(): void {
    this.client.destroy();
  }
}

/** Maps an SDK error to what the sender may do next; see `SmsFailureKind`. */
export function classifySendError(err: unknown): SmsGatewayError {
  const name = (err as { name?: unknown })?.name;
  const reason = (err as { Reason?: unknown })?.Reason;
  const awsCode = [
    typeof name === "string" ? name : "Error",
    typeof reason === "string" ? reason : "",
  ]
    .filter(Boolean)
    .join("/");
  let kind: SmsFailureKind;
  switch (name) {
    case "ThrottlingException":
      kind = "throttled";
      break;
    case "ConflictException":
      kind = reason === "DESTINATION_PHONE_NUMBER_OPTED_OUT" ? "opted_out" : "rejected";
      break;
    case "ServiceQuotaExceededException":
      kind =
        typeof reason === "string" && reason.startsWith("MONTHLY_SPEND_LIMIT_REACHED")
          ? "spend_limit"
          : "quota_exceeded";
      break;
    case "ValidationException":
    case "AccessDeniedException":
    case "ResourceNotFoundException":
      kind = "rejected";
      break;
    default:
      kind = "unknown";
  }
  return new SmsGatewayError(kind, awsCode, { cause: err });
}
