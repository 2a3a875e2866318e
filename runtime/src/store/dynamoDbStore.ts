import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  TransactionCanceledException,
} from "@aws-sdk/client-dynamodb";
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type TransactWriteCommandInput,
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
  RecordInboundInput,
  RegistrationEvent,
} from "./conversationStore";
import { dynamoDbTableSchema as schema } from "./dynamoDbTableSchema";

type Item = Record<string, unknown>;
type TransactItem = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];

const ttlOf = (iso: string): number => Math.floor(Date.parse(iso) / 1000);

/**
 * The production store: one DynamoDB table (see dynamoDbTableSchema). Idempotency rests on
 * conditional writes, and an inbound reply with its effects is one TransactWriteItems call.
 * Reads that decide behaviour are strongly consistent. TTL deletes lag by up to days, so reads
 * filter on `expiresAt` themselves.
 */
export class DynamoDbConversationStore implements ConversationStore {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
  ) {
    this.doc = DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true },
    });
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
            pk: `CONV#${c.conversationId}`,
            sk: "META",
            [schema.patientIndex.partitionKey]: `PATIENT#${c.patientRef}`,
            [schema.patientIndex.sortKey]: `${c.createdAt}#${c.conversationId}`,
            ...c,
            slots: [...c.slots],
            ttl: ttlOf(c.expiresAt),
          },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw new StoreUnavailableError("createConversation", { cause: err });
    }
  }

  async deleteConversation(conversationId: string): Promise<void> {
    await this.call("deleteConversation", () =>
      this.doc.send(
        new DeleteCommand({
          TableName: this.table,
          Key: { pk: `CONV#${conversationId}`, sk: "META" },
        }),
      ),
    );
  }

  async getConversation(conversationId: string): Promise<Conversation | undefined> {
    const item = await this.get(`CONV#${conversationId}`, "META", "getConversation");
    return item ? toConversation(item) : undefined;
  }

  async setConversationMessage(conversationId: string, messageId: string): Promise<void> {
    await this.call("setConversationMessage", () =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: `CONV#${conversationId}`, sk: "META" },
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
              ":p": `PATIENT#${patientRef}`,
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
    await this.call("recordOutbound", () =>
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: `MSG#${m.messageId}`, sk: "META", ...m, ttl: ttlOf(m.expiresAt) },
        }),
      ),
    );
  }

  async getOutbound(messageId: string): Promise<OutboundMessage | undefined> {
    const item = await this.get(`MSG#${messageId}`, "META", "getOutbound");
    return item ? toOutbound(item) : undefined;
  }

  async updateDelivery(messageId: string, d: DeliveryStatus): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: `MSG#${messageId}`, sk: "META" },
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
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) {
        // Either unknown, or a final/newer status is already there: tell the two apart.
        return (await this.get(`MSG#${messageId}`, "META", "updateDelivery")) !== undefined;
      }
      throw new StoreUnavailableError("updateDelivery", { cause: err });
    }
  }

  async recordInbound(input: RecordInboundInput): Promise<"created" | "duplicate"> {
    const m = input.inbound;
    const ttl = ttlOf(m.expiresAt);
    const owner = m.conversationId ? `CONV#${m.conversationId}` : `PATIENT#${m.patientRef}`;
    const items: TransactItem[] = [
      {
        Put: {
          TableName: this.table,
          Item: { pk: `INBOUND#${m.inboundMessageId}`, sk: "MARK", ttl },
          ConditionExpression: "attribute_not_exists(pk)",
        },
      },
      {
        Put: {
          TableName: this.table,
          Item: { pk: `SNSMSG#${m.snsMessageId}`, sk: "MARK", ttl },
          ConditionExpression: "attribute_not_exists(pk)",
        },
      },
      {
        Put: {
          TableName: this.table,
          Item: { pk: owner, sk: `IN#${m.receivedAt}#${m.inboundMessageId}`, ...m, ttl },
        },
      },
    ];
    const update = input.conversationUpdate;
    if (update) {
      items.push({
        Update: {
          TableName: this.table,
          Key: { pk: `CONV#${update.conversationId}`, sk: "META" },
          UpdateExpression:
            update.selectedSlot === undefined
              ? "SET #status = :s, updatedAt = :u"
              : "SET #status = :s, updatedAt = :u, selectedSlot = :slot",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: {
            ":s": update.status,
            ":u": m.receivedAt,
            ...(update.selectedSlot === undefined ? {} : { ":slot": update.selectedSlot }),
          },
        },
      });
    }
    if (input.optOut)
      items.push({
        Put: this.optOutPut(input.optOut.patientRef, input.optOut.optedOut, m.receivedAt),
      });
    try {
      await this.doc.send(new TransactWriteCommand({ TransactItems: items }));
      return "created";
    } catch (err) {
      if (
        err instanceof TransactionCanceledException &&
        err.CancellationReasons?.slice(0, 2).some((r) => r.Code === "ConditionalCheckFailed")
      ) {
        return "duplicate";
      }
      throw new StoreUnavailableError("recordInbound", { cause: err });
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
            ExpressionAttributeValues: { ":pk": `CONV#${conversationId}`, ":in": "IN#" },
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
    const item = await this.get(`PATIENT#${patientRef}`, "OPTOUT", "isOptedOut");
    return item?.optedOut === true;
  }

  async setOptOut(patientRef: string, optedOut: boolean, at: string): Promise<void> {
    await this.call("setOptOut", () =>
      this.doc.send(new PutCommand(this.optOutPut(patientRef, optedOut, at))),
    );
  }

  private optOutPut(patientRef: string, optedOut: boolean, at: string) {
    // Opt-outs never expire: no ttl attribute.
    return {
      TableName: this.table,
      Item: { pk: `PATIENT#${patientRef}`, sk: "OPTOUT", optedOut, updatedAt: at },
    };
  }

  async claimIdempotencyKey(record: IdempotencyRecord): Promise<ClaimResult> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            pk: `IDEMPOTENCY#${record.key}`,
            sk: "META",
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
    const existing = await this.get(`IDEMPOTENCY#${record.key}`, "META", "claimIdempotencyKey");
    if (!existing) return this.claimIdempotencyKey(record);
    return { claimed: false, existing: toIdempotency(existing) };
  }

  async completeIdempotencyKey(
    key: string,
    state: "completed" | "unknown",
    response: { statusCode: number; body: unknown },
  ): Promise<void> {
    await this.call("completeIdempotencyKey", () =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: `IDEMPOTENCY#${key}`, sk: "META" },
          UpdateExpression: "SET #state = :s, #response = :r",
          ExpressionAttributeNames: { "#state": "state", "#response": "response" },
          ExpressionAttributeValues: { ":s": state, ":r": response },
        }),
      ),
    );
  }

  async releaseIdempotencyKey(key: string): Promise<void> {
    await this.call("releaseIdempotencyKey", () =>
      this.doc.send(
        new DeleteCommand({ TableName: this.table, Key: { pk: `IDEMPOTENCY#${key}`, sk: "META" } }),
      ),
    );
  }

  async recordRegistrationEvent(e: RegistrationEvent): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: `REGISTRATION#${e.registrationId}`, sk: "META", ...e },
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
    const item = await this.get(`REGISTRATION#${registrationId}`, "META", "getRegistrationStatus");
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
    fingerprint: String(item.fingerprint),
    state: item.state as IdempotencyRecord["state"],
    ...(item.response ? { response: item.response as IdempotencyRecord["response"] } : {}),
    createdAt: String(item.createdAt),
    expiresAt: String(item.expiresAt),
  };
}
