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
  /**
   * A random token of the request that created it, so that request recognises its own write
   * when the store applied it but the answer was lost.
   */
  creationToken?: string;
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
  /**
   * The conversation change this reply causes, applied in the same transaction when the
   * conversation's current status allows it (see conversationStates); skipped, not failed, when
   * a concurrent change moved it first.
   */
  conversationUpdate?: {
    conversationId: string;
    status: ConversationStatus;
    selectedSlot?: number;
  };
  /**
   * The patient's opt-out state after this keyword. Applied only when it is newer, by
   * `receivedAt` then `inboundMessageId`, than the keyword that decided the current state.
   */
  optOut?: { patientRef: string; optedOut: boolean };
  /** Effects that must follow this message, recorded with it and dispatched after (an outbox). */
  effects?: PendingEffect[];
}

/**
 * An effect owed to a stored inbound message: an audit event, or the answer to HELP/STOP/START.
 * Holds no phone number: the dispatcher gets it from the delivery it runs for.
 */
export interface PendingEffect {
  /** Unique within its message. */
  effectId: string;
  kind: "audit" | "keyword_reply";
  /** For "audit": the event's action, record, outcome; for "keyword_reply": the keyword kind. */
  action: string;
  record: string;
  outcome?: string;
}

export interface IdempotencyRecord {
  key: string;
  /** Random per claim: the claimer recognises its own claim, and only it completes or releases. */
  token: string;
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

  /**
   * Inserts a new conversation; false if the id is taken by another request (one with another
   * `creationToken`).
   */
  createConversation(conversation: Conversation): Promise<boolean>;
  deleteConversation(conversationId: string): Promise<void>;
  getConversation(conversationId: string): Promise<Conversation | undefined>;
  setConversationMessage(conversationId: string, messageId: string): Promise<void>;
  /** The patient's newest conversation that is not opted out and not expired at `now`. */
  latestOpenConversation(patientRef: string, now: string): Promise<Conversation | undefined>;

  /**
   * Records a sent message; when it belongs to an existing conversation, also makes it that
   * conversation's `lastMessageId`, in the same transaction.
   */
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

  /** The inbound message's effects not yet dispatched (after a redelivery of it). */
  pendingEffects(inboundMessageId: string): Promise<PendingEffect[]>;
  /** Removes a pending effect; true for the one caller that removed it, who then performs it. */
  takeEffect(inboundMessageId: string, effectId: string): Promise<boolean>;

  isOptedOut(patientRef: string): Promise<boolean>;
  /**
   * Sets the patient's opt-out state unless a keyword received after `at` decided it already;
   * true when applied.
   */
  setOptOut(patientRef: string, optedOut: boolean, at: string): Promise<boolean>;

  /**
   * Claims an idempotency key for a new request, or returns the record that holds it. A claim
   * that meets a record with its own token (its write applied, the answer lost) is claimed.
   */
  claimIdempotencyKey(record: IdempotencyRecord): Promise<ClaimResult>;
  /** Completes the claim holding `token`; false when the key is not (or no longer) that claim. */
  completeIdempotencyKey(
    key: string,
    token: string,
    state: "completed" | "unknown",
    response: { statusCode: number; body: unknown },
  ): Promise<boolean>;
  /** Releases the claim holding `token`; false when the key is not that claim. */
  releaseIdempotencyKey(key: string, token: string): Promise<boolean>;

  recordRegistrationEvent(event: RegistrationEvent): Promise<void>;
  getRegistrationStatus(registrationId: string): Promise<RegistrationEvent | undefined>;
}
