import { randomUUID } from "node:crypto";

/** The delivery event AWS documents (monitor-event-bridge.html), for the given message. */
export function deliveryEvent(
  messageId: string,
  messageStatus: string,
  isFinal: boolean,
  eventTimestamp = 1759342841377,
) {
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": "Text Message Delivery Status Updated",
    source: "aws.sms-voice",
    account: "111122223333",
    time: "2025-10-01T18:20:41Z",
    region: "us-east-1",
    resources: [],
    detail: {
      eventType: `TEXT_${messageStatus}`,
      eventVersion: "1.0",
      eventTimestamp,
      isFinal,
      originationPhoneNumber: "VAJZNBLLDX",
      isoCountryCode: "US",
      isInternationalSend: false,
      messageId,
      messageRequestTimestamp: eventTimestamp - 400,
      messageEncoding: "GSM",
      messageType: "TRANSACTIONAL",
      messageStatus,
      messageStatusDescription: "Message has been accepted by phone carrier",
      context: {},
      totalMessageParts: 1,
      totalMessagePrice: 0.00581,
      totalCarrierFee: 0.0,
    },
  };
}

export function registrationEvent(registrationId: string, currentStatus: string) {
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": "Registration Status Change",
    source: "aws.sms-voice",
    account: "111122223333",
    time: "2025-10-01T18:20:41Z",
    region: "us-east-1",
    resources: [`arn:aws:sms-voice:us-east-1:111122223333:registration/${registrationId}`],
    detail: {
      registrationDetails: {
        registrationId,
        registrationVersionNumber: 1,
        registrationType: "US_TOLL_FREE_REGISTRATION",
        registrationStatusChangeTimestamp: 1759342841377,
        currentStatus,
      },
      registrationArn: `arn:aws:sms-voice:us-east-1:111122223333:registration/${registrationId}`,
    },
  };
}
