// Longer than the ~400-line guide on purpose: one class implements the whole
// `ConversationStore` contract against one table, each method with its DynamoDB condition and
// transaction handling; split by item kind, the transactions that span kinds would be torn apart.
import { ConditionalCheckFailedException, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { StoreUnavailableError } from "../errors";
import type {
  ClaimResult,
  Conversation,
  ConversationStore,
  DeliveryStatus,
  IdempotencyRecord,
  InboundMessage,
  OutboundMessage,
  PendingEffect,
  RecordInboundInput,
  RegistrationEvent,
} from "./conversationStore";
import { optOutVersion, statusesAllowedBefore } from "./conversationStates";
import { DynamoDbOutboundStore } from "./dynamoDbOutboundStore";
import { dynamoDbTableSchema as schema, partitionKeys, sortKeys } from "./dynamoDbTableSchema";
import { clientRequestToken, failedConditions, ttlOf, type TransactItem } from "./dynamoDbWrites";
import { OutboundStoreDelegate, type OutboundStore } from "./outboundStore";

type Item = Record<string, unknown>;

/**
 * The production store: one DynamoDB table (see dynamoDbTableSchema). Idempotency rests on
 * conditional writes, and an inbound reply with its effects is one TransactWriteItems call.
 * Reads that decide behaviour are strongly consistent. TTL deletes lag by up to days, so reads
 * filter on `expiresAt` themselves. The outbound queue's records are kept by
 * `DynamoDbOutboundStore` in the same table through the same client.
 */
export class DynamoDbConversationStore
  extends OutboundStoreDelegate
  implements ConversationStore, OutboundStore
{
  private readonly doc: DynamoDBDocumentClient;
  protected readonly outbound: DynamoDbOutboundStore;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
  ) {
    super();
    this.doc = DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true },
    });
    this.outbound = new DynamoDbOutboundStore(this.doc, table);
  }

  static create(region: string, table: string): DynamoDbConversationStore {
    return new DynamoDbConversationStore(
      new DynamoDBClient({
        region,
        maxAttempts: 3,
        // Well inside SNS's 15 s and EventBridge's 5 s delivery timeouts.
        // throwOnRequestTimeout: without it the SDK only warns and keeps waiting.
        requestHandler: {
          connectionTimeout: 1000,
          requestTimeout: 2500,
          throwOnRequestTimeout: true,
        },
      }),
      table,
    );
  }

  private async call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw new StoreUnavailableError(operation, { cause: err });
    }
  }

  private get(pk: string, sk: string, operation: string): Promise<Item | undefined> {
    return this.call(operation, async () => {
      const out = await this.doc.send(
        new GetCommand({ TableName: this.table, Key: { pk, sk }, ConsistentRead: true }),
      );
      return out.Item;
    });
  }

  async ping(): Promise<void> {
    await this.get("PING", "PING", "ping");
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  async createConversation(c: Conversation): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            pk: partitionKeys.conversation(c.conversationId),
            sk: sortKeys.meta,
            [schema.patientIndex.partitionKey]: partitionKeys.patient(c.patientRef),
            [schema.patientIndex.sortKey]: sortKeys.byPatient(c.createdAt, c.conversationId),
            ...c,
            slots: [...c.slots],
            ttl: ttlOf(c.expiresAt),
          },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
      return true;
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) {
        throw new StoreUnavailableError("createConversation", { cause: err });
      }
    }
    // Taken: by this very request when the SDK retried a write whose answer was lost.
    if (c.creationToken === undefined) return false;
    const existing = await this.get(
      partitionKeys.conversation(c.conversationId),
      sortKeys.meta,
      "createConversation",
    );
    return existing?.creationToken === c.creationToken;
  }

  async deleteConversation(conversationId: string): Promise<void> {
    await this.call("deleteConversation", () =>
      this.doc.send(
        new DeleteCommand({
          TableName: this.table,
          Key: { pk: partitionKeys.conversation(conversationId), sk: sortKeys.meta },
        }),
      ),
    );
  }

  async getConversation(conversationId: string): Promise<Conversation | undefined> {
    const item = await this.get(
      partitionKeys.conversation(conversationId),
      sortKeys.meta,
      "getConversation",
    );
    return item ? toConversation(item) : undefined;
  }

  async setConversationMessage(conversationId: string, messageId: string): Promise<void> {
    await this.call("setConversationMessage", () =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: partitionKeys.conversation(conversationId), sk: sortKeys.meta },
          UpdateExpression: "SET lastMessageId = :m",
          ConditionExpression: "attribute_exists(pk)",
          ExpressionAttributeValues: { ":m": messageId },
        }),
      ),
    );
  }

  async latestOpenConversation(patientRef: string, now: string): Promise<Conversation | undefined> {
    return this.call("latestOpenConversation", async () => {
      let startKey: Record<string, unknown> | undefined;
      // A patient has few conversations; the page bound only guards against a pathological one.
      for (let page = 0; page < 10; page += 1) {
        const out = await this.doc.send(
          new QueryCommand({
            TableName: this.table,
            IndexName: schema.patientIndex.name,
            KeyConditionExpression: "#pk = :p",
            FilterExpression: "#status <> :optedOut AND expiresAt > :now",
            ExpressionAttributeNames: {
              "#pk": schema.patientIndex.partitionKey,
              "#status": "status",
            },
            ExpressionAttributeValues: {
              ":p": partitionKeys.patient(patientRef),
              ":optedOut": "opted_out",
              ":now": now,
            },
            ScanIndexForward: false,
            ExclusiveStartKey: startKey,
          }),
        );
        const first = out.Items?.[0];
        if (first) return toConversation(first);
        startKey = out.LastEvaluatedKey;
        if (!startKey) return undefined;
      }
      return undefined;
    });
  }

  async recordOutbound(m: OutboundMessage): Promise<void> {
    const put = {
      TableName: this.table,
      Item: {
        pk: partitionKeys.outbound(m.messageId),
        sk: sortKeys.meta,
        ...m,
        ttl: ttlOf(m.expiresAt),
      },
    };
    if (m.conversationId) {
      const items: TransactItem[] = [
        { Put: put },
        {
          Update: {
            TableName: this.table,
            Key: { pk: partitionKeys.conversation(m.conversationId), sk: sortKeys.meta },
            UpdateExpression: "SET lastMessageId = :m",
            ConditionExpression: "attribute_exists(pk)",
            ExpressionAttributeValues: { ":m": m.messageId },
          },
        },
      ];
      try {
        await this.doc.send(
          new TransactWriteCommand({
            TransactItems: items,
            ClientRequestToken: clientRequestToken(items),
          }),
        );
        return;
      } catch (err) {
        // No such conversation: the message is still recorded, alone.
        if (!failedConditions(err)?.has(1)) {
          throw new StoreUnavailableError("recordOutbound", { cause: err });
        }
      }
    }
    await this.call("recordOutbound", () => this.doc.send(new PutCommand(put)));
  }

  async getOutbound(messageId: string): Promise<OutboundMessage | undefined> {
    const item = await this.get(partitionKeys.outbound(messageId), sortKeys.meta, "getOutbound");
    return item ? toOutbound(item) : undefined;
  }

  async updateDelivery(messageId: string, d: DeliveryStatus): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: partitionKeys.outbound(messageId), sk: sortKeys.meta },
          UpdateExpression: "SET delivery = :d",
          // A final status beats any non-final one whatever their times (issue 9, finding 6).
          ConditionExpression: d.final
            ? "attribute_exists(pk) AND delivery.#final = :false"
            : "attribute_exists(pk) AND delivery.#final = :false AND delivery.#at <= :at",
          ExpressionAttributeNames: d.final
            ? { "#final": "final" }
            : { "#final": "final", "#at": "at" },
          ExpressionAttributeValues: d.final
            ? { ":d": { ...d }, ":false": false }
            : { ":d": { ...d }, ":false": false, ":at": d.at },
          // Tells "unknown message" from "a final or newer status is already there" in the
          // same call, instead of a second read.
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return err.Item !== undefined;
      throw new StoreUnavailableError("updateDelivery", { cause: err });
    }
  }

  async recordInbound(input: RecordInboundInput): Promise<"created" | "duplicate"> {
    const m = input.inbound;
    const ttl = ttlOf(m.expiresAt);
    const owner = m.conversationId
      ? partitionKeys.conversation(m.conversationId)
      : partitionKeys.patient(m.patientRef);
    const items: TransactItem[] = [
      {
        Put: {
          TableName: this.table,
          Item: { pk: partitionKeys.inboundMark(m.inboundMessageId), sk: sortKeys.mark, ttl },
          ConditionExpression: "attribute_not_exists(pk)",
        },
      },
      {
        Put: {
          TableName: this.table,
          Item: { pk: partitionKeys.snsMessageMark(m.snsMessageId), sk: sortKeys.mark, ttl },
          ConditionExpression: "attribute_not_exists(pk)",
        },
      },
      {
        Put: {
          TableName: this.table,
          Item: { pk: owner, sk: sortKeys.reply(m.receivedAt, m.inboundMessageId), ...m, ttl },
        },
      },
    ];
    for (const e of input.effects ?? []) {
      items.push({
        Put: {
          TableName: this.table,
          // Effects live as long as their message: a redelivery comes within days at most.
          Item: { pk: partitionKeys.effects(m.inboundMessageId), sk: e.effectId, ...e, ttl },
        },
      });
    }
    // Guarded items last: when their condition fails (a newer state is already there), the
    // transaction is tried again without them, so the message itself is never lost.
    let guarded: TransactItem[] = [];
    const update = input.conversationUpdate;
    // A status no transition leads to (awaiting_reply) is never written by a reply.
    if (update && statusesAllowedBefore(update.status).length > 0) {
      const from = statusesAllowedBefore(update.status);
      guarded.push({
        Update: {
          TableName: this.table,
          Key: { pk: partitionKeys.conversation(update.conversationId), sk: sortKeys.meta },
          UpdateExpression:
            update.selectedSlot === undefined
              ? "SET #status = :s, updatedAt = :u"
              : "SET #status = :s, updatedAt = :u, selectedSlot = :slot",
          ConditionExpression: `#status IN (${from.map((_, i) => `:from${i}`).join(", ")})`,
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: {
            ":s": update.status,
            ":u": m.receivedAt,
            ...Object.fromEntries(from.map((status, i) => [`:from${i}`, status])),
            ...(update.selectedSlot === undefined ? {} : { ":slot": update.selectedSlot }),
          },
        },
      });
    }
    if (input.optOut) {
      guarded.push({
        Put: this.optOutPut(
          input.optOut.patientRef,
          input.optOut.optedOut,
          m.receivedAt,
          optOutVersion(m.receivedAt, m.inboundMessageId),
        ),
      });
    }
    for (let attempt = 0; ; attempt += 1) {
      const all = [...items, ...guarded];
      try {
        await this.doc.send(
          new TransactWriteCommand({
            TransactItems: all,
            ClientRequestToken: clientRequestToken(all),
          }),
        );
        return "created";
      } catch (err) {
        const failed = failedConditions(err);
        if (!failed) throw new StoreUnavailableError("recordInbound", { cause: err });
        if (failed.has(0) || failed.has(1)) return "duplicate";
        const stale = guarded.filter((_, i) => failed.has(items.length + i));
        if (stale.length === 0 || attempt >= 2) {
          throw new StoreUnavailableError("recordInbound", { cause: err });
        }
        guarded = guarded.filter((item) => !stale.includes(item));
      }
    }
  }

  async pendingEffects(inboundMessageId: string): Promise<PendingEffect[]> {
    return this.call("pendingEffects", async () => {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: "pk = :pk",
          ExpressionAttributeValues: { ":pk": partitionKeys.effects(inboundMessageId) },
          ConsistentRead: true,
        }),
      );
      return (out.Items ?? []).map((item) => ({
        effectId: String(item.effectId),
        kind: item.kind as PendingEffect["kind"],
        action: String(item.action),
        record: String(item.record),
        ...(typeof item.outcome === "string" ? { outcome: item.outcome } : {}),
      }));
    });
  }

  async takeEffect(inboundMessageId: string, effectId: string): Promise<boolean> {
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.table,
          Key: { pk: partitionKeys.effects(inboundMessageId), sk: effectId },
          ConditionExpression: "attribute_exists(pk)",
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw new StoreUnavailableError("takeEffect", { cause: err });
    }
  }

  async listReplies(conversationId: string): Promise<InboundMessage[]> {
    return this.call("listReplies", async () => {
      const replies: InboundMessage[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const out = await this.doc.send(
          new QueryCommand({
            TableName: this.table,
            KeyConditionExpression: "pk = :pk AND begins_with(sk, :in)",
            ExpressionAttributeValues: {
              ":pk": partitionKeys.conversation(conversationId),
              ":in": sortKeys.replyPrefix,
            },
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
          }),
        );
        for (const item of out.Items ?? []) replies.push(toInbound(item));
        startKey = out.LastEvaluatedKey;
      } while (startKey);
      return replies;
    });
  }

  async isOptedOut(patientRef: string): Promise<boolean> {
    const item = await this.get(partitionKeys.patient(patientRef), sortKeys.optOut, "isOptedOut");
    return item?.optedOut === true;
  }

  async setOptOut(patientRef: string, optedOut: boolean, at: string): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand(this.optOutPut(patientRef, optedOut, at, optOutVersion(at))),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw new StoreUnavailableError("setOptOut", { cause: err });
    }
  }

  /** Newest decision wins: an older keyword processed late fails the condition. */
  private optOutPut(patientRef: string, optedOut: boolean, at: string, version: string) {
    // Opt-outs never expire: no ttl attribute.
    return {
      TableName: this.table,
      Item: {
        pk: partitionKeys.patient(patientRef),
        sk: sortKeys.optOut,
        optedOut,
        updatedAt: at,
        version,
      },
      ConditionExpression:
        "attribute_not_exists(pk) OR attribute_not_exists(version) OR version < :v",
      ExpressionAttributeValues: { ":v": version },
    };
  }

  async claimIdempotencyKey(record: IdempotencyRecord): Promise<ClaimResult> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            pk: partitionKeys.idempotency(record.key),
            sk: sortKeys.meta,
            ...record,
            ttl: ttlOf(record.expiresAt),
          },
          ConditionExpression: "attribute_not_exists(pk) OR expiresAt <= :now",
          ExpressionAttributeValues: { ":now": record.createdAt },
        }),
      );
      return { claimed: true };
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) {
        throw new StoreUnavailableError("claimIdempotencyKey", { cause: err });
      }
    }
    const item = await this.get(
      partitionKeys.idempotency(record.key),
      sortKeys.meta,
      "claimIdempotencyKey",
    );
    if (!item) return this.claimIdempotencyKey(record);
    const existing = toIdempotency(item);
    // The SDK retried a put whose answer was lost and met the first attempt's write: ours.
    if (existing.token === record.token && existing.state === "pending") return { claimed: true };
    return { claimed: false, existing };
  }

  async completeIdempotencyKey(
    key: string,
    token: string,
    state: "completed" | "unknown",
    response: { statusCode: number; body: unknown },
  ): Promise<boolean> {
    try {
      // Repeating it (an SDK retry after a lost answer) writes the same values: idempotent.
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: partitionKeys.idempotency(key), sk: sortKeys.meta },
          UpdateExpression: "SET #state = :s, #response = :r",
          ConditionExpression: "#token = :t",
          ExpressionAttributeNames: {
            "#state": "state",
            "#response": "response",
            "#token": "token",
          },
          ExpressionAttributeValues: { ":s": state, ":r": response, ":t": token },
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw new StoreUnavailableError("completeIdempotencyKey", { cause: err });
    }
  }

  async releaseIdempotencyKey(key: string, token: string): Promise<boolean> {
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.table,
          Key: { pk: partitionKeys.idempotency(key), sk: sortKeys.meta },
          ConditionExpression: "#token = :t AND #state = :pending",
          ExpressionAttributeNames: { "#token": "token", "#state": "state" },
          ExpressionAttributeValues: { ":t": token, ":pending": "pending" },
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) {
        // A retried delete whose first attempt applied: gone is what was asked.
        const item = await this.get(
          partitionKeys.idempotency(key),
          sortKeys.meta,
          "releaseIdempotencyKey",
        );
        return item === undefined;
      }
      throw new StoreUnavailableError("releaseIdempotencyKey", { cause: err });
    }
  }

  async recordRegistrationEvent(e: RegistrationEvent): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: partitionKeys.registration(e.registrationId), sk: sortKeys.meta, ...e },
          ConditionExpression: "attribute_not_exists(pk) OR #at <= :at",
          ExpressionAttributeNames: { "#at": "at" },
          ExpressionAttributeValues: { ":at": e.at },
        }),
      );
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return; // an older event: keep the newer
      throw new StoreUnavailableError("recordRegistrationEvent", { cause: err });
    }
  }

  async getRegistrationStatus(registrationId: string): Promise<RegistrationEvent | undefined> {
    const item = await this.get(
      partitionKeys.registration(registrationId),
      sortKeys.meta,
      "getRegistrationStatus",
    );
    return item
      ? {
          registrationId: String(item.registrationId),
          status: String(item.status),
          at: String(item.at),
        }
      : undefined;
  }
}

function toConversation(item: Item): Conversation {
  return {
    conversationId: String(item.conversationId),
    patientRef: String(item.patientRef),
    slots: (item.slots as string[] | undefined) ?? [],
    status: item.status as Conversation["status"],
    ...(typeof item.selectedSlot === "number" ? { selectedSlot: item.selectedSlot } : {}),
    ...(typeof item.lastMessageId === "string" ? { lastMessageId: item.lastMessageId } : {}),
    createdAt: String(item.createdAt),
    updatedAt: String(item.updatedAt),
    expiresAt: String(item.expiresAt),
    ...(typeof item.creationToken === "string" ? { creationToken: item.creationToken } : {}),
  };
}

function toOutbound(item: Item): OutboundMessage {
  const delivery = item.delivery as DeliveryStatus;
  return {
    messageId: String(item.messageId),
    ...(typeof item.conversationId === "string" ? { conversationId: item.conversationId } : {}),
    patientRef: String(item.patientRef),
    parts: Number(item.parts),
    encoding: String(item.encoding),
    sentAt: String(item.sentAt),
    delivery: { status: delivery.status, final: delivery.final, at: delivery.at },
    expiresAt: String(item.expiresAt),
  };
}

function toInbound(item: Item): InboundMessage {
  return {
    inboundMessageId: String(item.inboundMessageId),
    snsMessageId: String(item.snsMessageId),
    ...(typeof item.conversationId === "string" ? { conversationId: item.conversationId } : {}),
    patientRef: String(item.patientRef),
    kind: item.kind as InboundMessage["kind"],
    text: String(item.text),
    receivedAt: String(item.receivedAt),
    expiresAt: String(item.expiresAt),
  };
}

function toIdempotency(item: Item): IdempotencyRecord {
  return {
    key: String(item.key),
    token: typeof item.token === "string" ? item.token : "",
    fingerprint: String(item.fingerprint),
    state: item.state as IdempotencyRecord["state"],
    ...(item.response ? { response: item.response as IdempotencyRecord["response"] } : {}),
    createdAt: String(item.createdAt),
    expiresAt: String(item.expiresAt),
  };
}
