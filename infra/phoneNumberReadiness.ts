/** What the stack reports about its number after `pulumi up` (or `pulumi refresh`). */
export interface PhoneNumberReadiness {
  /** End User Messaging's status for the number: ACTIVE, PENDING, ASSOCIATING, … or UNKNOWN. */
  status: string;
  active: boolean;
  twoWayEnabled: boolean;
  /** Two-way is on and delivers inbound SMS to this stack's inbound topic. */
  twoWayToInboundTopic: boolean;
  /** All three: the number can send, and replies reach the webhook. */
  ready: boolean;
  /** What still stands in the way, in words an operator can act on. */
  waitingFor: string[];
}

/**
 * Reads the number's provider state. A TOLL_FREE or TEN_DLC number is created without waiting
 * for ACTIVE (registration takes days), and the two-way settings are applied by an
 * UpdatePhoneNumber that a pending number may refuse without failing `up`; so the stack says
 * what the number's state actually is instead of assuming it.
 */
export function phoneNumberReadiness(state: {
  status: string | undefined;
  twoWayChannelEnabled: boolean | undefined;
  twoWayChannelArn: string | undefined;
  inboundTopicArn: string;
}): PhoneNumberReadiness {
  const status = state.status || "UNKNOWN";
  const active = status === "ACTIVE";
  const twoWayEnabled = state.twoWayChannelEnabled === true;
  const twoWayToInboundTopic = twoWayEnabled && state.twoWayChannelArn === state.inboundTopicArn;
  const waitingFor = [
    ...(active
      ? []
      : [`the number to become ACTIVE (it is ${status}; run pulumi refresh to update)`]),
    ...(twoWayEnabled
      ? []
      : ["two-way SMS to be enabled on the number (run pulumi up again once it is ACTIVE)"]),
    ...(twoWayEnabled && !twoWayToInboundTopic
      ? ["the number's two-way channel to point at the inbound topic (run pulumi up again)"]
      : []),
  ];
  return {
    status,
    active,
    twoWayEnabled,
    twoWayToInboundTopic,
    ready: active && twoWayToInboundTopic,
    waitingFor,
  };
}
