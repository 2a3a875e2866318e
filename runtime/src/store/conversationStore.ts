/**
 * The service's durable state behind one interface, with an embedded SQLite implementation for
 * local runs and a DynamoDB one in AWS; both pass the same conformance suite.
 *
 * No phone number is stored or used as a key: patients are known by `patientRef`, a keyed HMAC
 * of the number (DynamoDB keys reach CloudTrail data events). Every operation that must be atomic
 * is one method, so each implementation can make it a single transaction.
 */

export type ConversationStatus = "awaiting_reply" | "replied" | "opted_out";

export interface Conversation {
  conversationId: string;
  patientRef: string;
  slots: readonly string[];
  status: ConversationStatus;
  selectedSlot?: number;
  /** The SMS MessageId of the slots message. */
  lastMessageId?: string;
  createdAt: string;
  updatedAt: string;
  /** When the conversation stops matching replies and becomes eligible for deletion. */
  expiresAt: string;
}

export interface DeliveryStatus {
  status: string;
  final: boolean;
  /** Event time of the status, to keep the newest when events arrive out of order. */
  at: string;
}

export interface OutboundMessage {
  messageId: string;
  conversationId?: string;
  patientRef: string;
  parts: number;
  encoding: string;
  sentAt: string;
  delivery: DeliveryStatus;
  expiresAt: string;
}

export type InboundKind = "reply" | "slot" | "opt_out" | "opt_in" | "help";

export interface InboundMessage {
  inboundMessageId: string;
  /** The SNS MessageId that carried it; a second key for idempotency. */
  snsMessageId: string;
  conversationId?: string;
  patientRef: string;
  kind: InboundKind;
  text: string;
  receivedAt: string;
  expiresAt: string;
}

export interface RecordInboundInput {
  inbound: InboundMessage;
  /** The conversation change this reply causes, applied in the same transaction. */
  conversationUpdate?: {
    conversationId: string;
    status: ConversationStatus;
    selectedSlot?: number;
  };
  /** The patient's opt-out state after this reply, when it changes it. */
  optOut?: { patientRef: string; optedOut: boolean };
}

export interface IdempotencyRecord {
  key: string;
  fingerprint: string;
  state: "pending" | "completed" | "unknown";
  /** The first response, replayed to retries. */
  response?: { statusCode: number; body: unknown };
  createdAt: string;
  expiresAt: string;
}

export interface RegistrationEvent {
  registrationId: string;
  status: string;
  at: string;
}

export type ClaimResult = { claimed: true } | { claimed: false; existing: IdempotencyRecord };

export interface ConversationStore {
  /** Resolves when the store answers; used by /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;

  /** Inserts a new conversation; false if the id is taken. */
  createConversation(conversation: Conversation): Promise<boolean>;
  deleteConversation(conversationId: string): Promise<void>;
  getConversation(conversationId: string): Promise<Conversation | undefined>;
  setConversationMessage(conversationId: string, messageId: string): Promise<void>;
  /** The patient's newest conversation that is not opted out and not expired at `now`. */
  latestOpenConversation(patientRef: string, now: string): Promise<Conversation | undefined>;

  recordOutbound(message: OutboundMessage): Promise<void>;
  getOutbound(messageId: string): Promise<OutboundMessage | undefined>;
  /**
   * Applies a delivery status unless the message already has a final one or a newer one.
   * Returns false when the message is unknown.
   */
  updateDelivery(messageId: string, delivery: DeliveryStatus): Promise<boolean>;

  /**
   * Stores an inbound message and its effects atomically, once: "duplicate" when its
   * inboundMessageId or its SNS MessageId was stored before, and then nothing changes.
   */
  recordInbound(input: RecordInboundInput): Promise<"created" | "duplicate">;
  listReplies(conversationId: string): Promise<InboundMessage[]>;

  isOptedOut(patientRef: string): Promise<boolean>;
  setOptOut(patientRef: string, optedOut: boolean, at: string): Promise<void>;

  /** Claims an idempotency key for a new request, or returns the record that holds it. */
  claimIdempotencyKey(record: IdempotencyRecord): Promise<ClaimResult>;
  completeIdempotencyKey(
    key: string,
    state: "completed" | "unknown",
    response: { statusCode: number; body: unknown },
  ): Promise<void>;
  releaseIdempotencyKey(key: string): Promise<void>;

  recordRegistrationEvent(event: RegistrationEvent): Promise<void>;
  getRegistrationStatus(registrationId: string): Promise<RegistrationEvent | undefined>;
}
