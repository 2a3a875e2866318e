import { ConditionalCheckFailedException, type AttributeValue } from "@aws-sdk/client-dynamodb";
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
  type UpdateCommandInput,
} from "@aws-sdk/lib-dynamodb";
import { StoreUnavailableError } from "../errors";
import {
  WAITING_STATUSES,
  type ConsentRecord,
  type ScheduledSend,
  type SendStatus,
} from "../outbound/sendRecord";
import { partitionKeys, sortKeys } from "./dynamoDbTableSchema";
import { clientRequestToken, failedConditions, ttlOf, type TransactItem } from "./dynamoDbWrites";
import type { OutboundStore } from "./outboundStore";
import {
  checkFinishUpdate,
  erasesDestination,
  finish,
  isWaiting,
  recordDelivery,
  type FinishUpdate,
} from "./sendTransitions";

type Item = Record<string, unknown>;
type RawItem = Record<string, AttributeValue> | undefined;

/** A rate window's counter outlives its second by this much, then TTL deletes it. */
const RATE_WINDOW_TTL_SECONDS = 60;
/** Attempts of a read-then-conditional-write before a concurrent change is reported as a fault. */
const DELIVERY_WRITE_ATTEMPTS = 3;

/** `to`, `status` and `ttl` are DynamoDB reserved words; every expression names them. */
const NAMES = { "#status": "status", "#to": "to", "#body": "body" } as const;
const WAITING_VALUES = Object.fromEntries(WAITING_STATUSES.map((s, i) => [`:waiting${i}`, s]));
const WAITING_IN = `#status IN (${Object.keys(WAITING_VALUES).join(", ")})`;

const sendKey = (sendId: string) => ({ pk: partitionKeys.send(sendId), sk: sortKeys.meta });

/** A string attribute of an item DynamoDB returned unconverted (a failed condition's ALL_OLD). */
const rawString = (item: RawItem, name: string): string | undefined => item?.[name]?.S;

/**
 * The outbound queue's records in the single table (item kinds in `dynamoDbTableSchema.ts`).
 * Every state change of a send is one conditional write that states the rule of
 * `sendTransitions.ts` as its condition, so workers in any number of tasks never both win; a
 * failed condition returns the old item (ALL_OLD) to tell "not found" from "not allowed" without
 * a second read. Reads that decide behaviour are strongly consistent.
 */
export class DynamoDbOutboundStore implements OutboundStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  private async call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw new StoreUnavailableError(operation, { cause: err });
    }
  }

  private get(key: { pk: string; sk: string }, operation: string): Promise<Item | undefined> {
    return this.call(operation, async () => {
      const out = await this.doc.send(
        new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true }),
      );
      return out.Item;
    });
  }

  /**
   * A conditional UpdateItem: the new item, or the old one (undefined when there is none) as
   * `failed` when the condition did not hold.
   */
  private async update(
    operation: string,
    input: Omit<UpdateCommandInput, "TableName" | "ReturnValuesOnConditionCheckFailure">,
  ): Promise<{ applied: Item | undefined } | { failed: RawItem }> {
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          ...input,
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        }),
      );
      return { applied: out.Attributes };
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return { failed: err.Item };
      throw new StoreUnavailableError(operation, { cause: err });
    }
  }

  /** One PutItem; false when its condition failed. */
  private async put(
    operation: string,
    item: Item,
    condition?: { expression: string; names?: Record<string, string>; values?: Item },
  ): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: item,
          ConditionExpression: condition?.expression,
          ExpressionAttributeNames: condition?.names,
          ExpressionAttributeValues: condition?.values,
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw new StoreUnavailableError(operation, { cause: err });
    }
  }

  /** One query of a partition's sort-key range, every page. */
  private query(operation: string, input: Omit<QueryCommandInput, "TableName">) {
    return this.call(operation, async () => {
      const items: Item[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const out = await this.doc.send(
          new QueryCommand({
            TableName: this.table,
            ...input,
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
          }),
        );
        items.push(...(out.Items ?? []));
        startKey = out.LastEvaluatedKey;
      } while (startKey);
      return items;
    });
  }

  /** One call: PutItem if absent. */
  createSend(send: ScheduledSend): Promise<boolean> {
    return this.put(
      "createSend",
      { ...sendKey(send.sendId), ...send, ttl: ttlOf(send.expiresAt) },
      { expression: "attribute_not_exists(pk)" },
    );
  }

  /** One call: GetItem. */
  async getSend(sendId: string): Promise<ScheduledSend | undefined> {
    const item = await this.get(sendKey(sendId), "getSend");
    return item ? toScheduledSend(item) : undefined;
  }

  /**
   * One call: UpdateItem. A second, only when the send's lease expired after its gateway call
   * started: that send ends as `unknown` (the same rule as `sendTransitions.abandonedCall`).
   */
  async claimSend(
    sendId: string,
    leaseToken: string,
    now: string,
    leaseUntil: string,
  ): Promise<ScheduledSend | undefined> {
    const result = await this.update("claimSend", {
      Key: sendKey(sendId),
      UpdateExpression:
        "SET #status = :sending, leaseToken = :t, leaseUntil = :until, updatedAt = :now",
      // The same token again is a retried call whose answer was lost: the same claim.
      ConditionExpression: `(${WAITING_IN} AND dueAt <= :now) OR (#status = :sending AND attribute_not_exists(callStartedAt) AND (leaseUntil < :now OR leaseToken = :t))`,
      ExpressionAttributeNames: { "#status": NAMES["#status"] },
      ExpressionAttributeValues: {
        ...WAITING_VALUES,
        ":sending": "sending",
        ":t": leaseToken,
        ":until": leaseUntil,
        ":now": now,
      },
      ReturnValues: "ALL_NEW",
    });
    if ("applied" in result) return result.applied ? toScheduledSend(result.applied) : undefined;
    const old = result.failed;
    const oldToken = rawString(old, "leaseToken");
    const started = rawString(old, "callStartedAt");
    const until = rawString(old, "leaseUntil");
    if (
      rawString(old, "status") === "sending" &&
      oldToken !== undefined &&
      started !== undefined &&
      until !== undefined &&
      until < now
    ) {
      await this.update("claimSend", {
        Key: sendKey(sendId),
        UpdateExpression:
          "SET #status = :unknown, updatedAt = :now, attempts = list_append(attempts, :attempt) REMOVE #to, #body, leaseToken, leaseUntil",
        ConditionExpression: "#status = :sending AND leaseToken = :t AND callStartedAt = :started",
        ExpressionAttributeNames: NAMES,
        ExpressionAttributeValues: {
          ":unknown": "unknown",
          ":sending": "sending",
          ":now": now,
          ":t": oldToken,
          ":started": started,
          ":attempt": [{ at: started, outcome: "unknown" }],
        },
      });
    }
    return undefined;
  }

  /** One call: UpdateItem under the lease. */
  async markCallStarted(sendId: string, leaseToken: string, at: string): Promise<boolean> {
    const result = await this.update("markCallStarted", {
      Key: sendKey(sendId),
      UpdateExpression: "SET callStartedAt = :at",
      ConditionExpression: "#status = :sending AND leaseToken = :t",
      ExpressionAttributeNames: { "#status": NAMES["#status"] },
      ExpressionAttributeValues: { ":sending": "sending", ":t": leaseToken, ":at": at },
    });
    return "applied" in result;
  }

  /**
   * One call: UpdateItem under the lease, answering the record it wrote. With a provider message
   * id, two: a GetItem for the record's expiry (the id's item expires with it), then one
   * TransactWriteItems writing the send and the id's item together, which answers no values: the
   * record is the one read with the same change applied (`sendTransitions.finish`). Under the
   * lease only a late delivery event of an earlier attempt can change the record meanwhile (that
   * attempt's `deliveryStatus`, `recordAttemptDelivery`): the store has it, the answer may not.
   */
  async finishSend(
    sendId: string,
    leaseToken: string,
    update: FinishUpdate,
  ): Promise<ScheduledSend | undefined> {
    checkFinishUpdate(update);
    const sets = ["#status = :s", "updatedAt = :at", "finishedLeaseToken = :t"];
    const removes = ["leaseToken", "leaseUntil"];
    const values: Item = { ":s": update.status, ":at": update.at, ":t": leaseToken };
    if (update.dueAt !== undefined) {
      sets.push("dueAt = :due");
      values[":due"] = update.dueAt;
    }
    if (update.verdict !== undefined) {
      sets.push("verdict = :v");
      values[":v"] = update.verdict;
    }
    if (update.attempt !== undefined) {
      sets.push("attempts = list_append(attempts, :attempt)");
      values[":attempt"] = [update.attempt];
    }
    if (update.providerMessageId !== undefined) {
      sets.push("providerMessageId = :pm");
      values[":pm"] = update.providerMessageId;
    }
    // Waiting again: the next claim starts with no call made under it.
    if (isWaiting(update.status)) removes.push("callStartedAt");
    if (erasesDestination(update.status)) removes.push("#to", "#body");
    const write = {
      TableName: this.table,
      Key: sendKey(sendId),
      UpdateExpression: `SET ${sets.join(", ")} REMOVE ${removes.join(", ")}`,
      ConditionExpression: "#status = :sending AND leaseToken = :t",
      ExpressionAttributeNames: erasesDestination(update.status)
        ? NAMES
        : { "#status": NAMES["#status"] },
      ExpressionAttributeValues: { ...values, ":sending": "sending" },
    };
    // An SDK retry of a finish that applied but whose answer was lost meets its own write.
    const ownFinish = (get: (name: string) => unknown) =>
      get("finishedLeaseToken") === leaseToken &&
      get("status") === update.status &&
      get("updatedAt") === update.at;

    if (update.providerMessageId === undefined) {
      const result = await this.update("finishSend", { ...write, ReturnValues: "ALL_NEW" });
      if ("applied" in result) return result.applied && toScheduledSend(result.applied);
      // Rare (an SDK retry whose first answer was lost): the refusal's item is in wire form.
      return ownFinish((name) => rawString(result.failed, name)) ? this.getSend(sendId) : undefined;
    }
    const item = await this.get(sendKey(sendId), "finishSend");
    if (!item) return undefined;
    const current = toScheduledSend(item);
    if (current.status !== "sending" || current.leaseToken !== leaseToken) {
      return ownFinish((name) => item[name]) ? current : undefined;
    }
    const items: TransactItem[] = [
      { Update: write },
      {
        Put: {
          TableName: this.table,
          Item: {
            pk: partitionKeys.providerMessage(update.providerMessageId),
            sk: sortKeys.meta,
            sendId,
            ttl: ttlOf(current.expiresAt),
          },
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
      return finish(current, leaseToken, update);
    } catch (err) {
      if (failedConditions(err)?.has(0)) return undefined;
      throw new StoreUnavailableError("finishSend", { cause: err });
    }
  }

  /** One call: UpdateItem from a waiting status; its ALL_OLD tells the refusal's reason. */
  async cancelSend(
    sendId: string,
    at: string,
  ): Promise<"cancelled" | "not_found" | { notCancellable: SendStatus }> {
    const result = await this.update("cancelSend", {
      Key: sendKey(sendId),
      UpdateExpression: "SET #status = :cancelled, updatedAt = :at REMOVE #to, #body",
      ConditionExpression: WAITING_IN,
      ExpressionAttributeNames: NAMES,
      ExpressionAttributeValues: { ...WAITING_VALUES, ":cancelled": "cancelled", ":at": at },
    });
    if ("applied" in result) return "cancelled";
    const status = rawString(result.failed, "status");
    return status === undefined ? "not_found" : { notCancellable: status as SendStatus };
  }

  /**
   * Two calls: GetItem (to find the attempt's place in the list), then one UpdateItem whose
   * condition re-checks what the read decided; a concurrent change makes it read again.
   */
  async recordAttemptDelivery(
    sendId: string,
    providerMessageId: string,
    deliveryStatus: string,
    at: string,
    retry?: { dueAt: string },
  ): Promise<"recorded" | "retry_queued" | "not_found"> {
    for (let attempt = 0; attempt < DELIVERY_WRITE_ATTEMPTS; attempt += 1) {
      const item = await this.get(sendKey(sendId), "recordAttemptDelivery");
      const send = item ? toScheduledSend(item) : undefined;
      const change = recordDelivery(send, providerMessageId, deliveryStatus, at, retry);
      if (change.kind === "not_found") return "not_found";
      const slot = `attempts[${change.index}]`;
      const values: Item = { ":d": deliveryStatus, ":pm": providerMessageId };
      let input: Omit<UpdateCommandInput, "TableName" | "ReturnValuesOnConditionCheckFailure">;
      if (change.kind === "recorded") {
        input = {
          Key: sendKey(sendId),
          UpdateExpression: `SET ${slot}.deliveryStatus = :d`,
          ConditionExpression: `${slot}.providerMessageId = :pm`,
          ExpressionAttributeValues: values,
        };
      } else {
        const newest = `#status = :sent AND providerMessageId = :pm AND ${slot}.providerMessageId = :pm`;
        input =
          change.kind === "retry_queued"
            ? {
                Key: sendKey(sendId),
                UpdateExpression: `SET ${slot}.deliveryStatus = :d, #status = :queued, dueAt = :due, updatedAt = :at`,
                ConditionExpression: newest,
                ExpressionAttributeNames: { "#status": NAMES["#status"] },
                ExpressionAttributeValues: {
                  ...values,
                  ":sent": "sent",
                  ":queued": "queued",
                  ":due": change.send.dueAt,
                  ":at": at,
                },
              }
            : {
                Key: sendKey(sendId),
                UpdateExpression: `SET ${slot}.deliveryStatus = :d, updatedAt = :at REMOVE #to, #body`,
                ConditionExpression: newest,
                ExpressionAttributeNames: NAMES,
                ExpressionAttributeValues: { ...values, ":sent": "sent", ":at": at },
              };
      }
      const result = await this.update("recordAttemptDelivery", input);
      if ("applied" in result) return change.kind === "retry_queued" ? "retry_queued" : "recorded";
    }
    throw new StoreUnavailableError("recordAttemptDelivery", {
      cause: new Error(`the send changed under ${DELIVERY_WRITE_ATTEMPTS} tries`),
    });
  }

  /** One call: GetItem. */
  async sendIdForProviderMessage(providerMessageId: string): Promise<string | undefined> {
    const item = await this.get(
      { pk: partitionKeys.providerMessage(providerMessageId), sk: sortKeys.meta },
      "sendIdForProviderMessage",
    );
    return typeof item?.sendId === "string" ? item.sendId : undefined;
  }

  /** One call: PutItem unless a newer change is stored (an equal `at` is the same change again). */
  putConsent(consent: ConsentRecord): Promise<boolean> {
    // Consents never expire: no ttl attribute.
    return this.put(
      "putConsent",
      {
        pk: partitionKeys.patient(consent.patientRef),
        sk: sortKeys.consent(consent.scope),
        ...consent,
      },
      {
        expression: "attribute_not_exists(pk) OR #at <= :at",
        names: { "#at": "at" },
        values: { ":at": consent.at },
      },
    );
  }

  /** One call: GetItem. */
  async getConsent(patientRef: string, scope: string): Promise<ConsentRecord | undefined> {
    const item = await this.get(
      { pk: partitionKeys.patient(patientRef), sk: sortKeys.consent(scope) },
      "getConsent",
    );
    return item ? toConsent(item) : undefined;
  }

  /** One Query (per page of 1 MB). */
  async listConsents(patientRef: string): Promise<ConsentRecord[]> {
    const items = await this.query("listConsents", {
      KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
      ExpressionAttributeValues: {
        ":pk": partitionKeys.patient(patientRef),
        ":prefix": sortKeys.consentPrefix,
      },
    });
    return items.map(toConsent);
  }

  /** One call: PutItem, expiring with the cap's window. */
  async recordSendForCap(
    patientRef: string,
    sendId: string,
    at: string,
    expiresAt: string,
  ): Promise<void> {
    await this.put("recordSendForCap", {
      pk: partitionKeys.patient(patientRef),
      sk: sortKeys.capSent(at, sendId),
      sendId,
      sentAt: at,
      expiresAt,
      ttl: ttlOf(expiresAt),
    });
  }

  /** One Query (per page) of the patient's cap entries from `since` on, by sort key. */
  async sendTimesSince(patientRef: string, since: string): Promise<string[]> {
    const items = await this.query("sendTimesSince", {
      KeyConditionExpression: "pk = :pk AND sk BETWEEN :from AND :end",
      ExpressionAttributeValues: {
        ":pk": partitionKeys.patient(patientRef),
        ":from": `${sortKeys.capSentPrefix}${since}`,
        ":end": sortKeys.capSentEnd,
      },
      ProjectionExpression: "sentAt",
    });
    return items.map((item) => String(item.sentAt));
  }

  /**
   * One UpdateItem when the window is new or its counter is ahead of the clock (a backlog): the
   * conditional update adds the parts and returns the total (`UPDATED_NEW`), so the parts counted
   * in one window never pass `limit` whatever the number of tasks. DynamoDB has no `max()`: when
   * the counter lags the clock (sends resumed late in a window after a pause), the refusal's old
   * value says so and a second conditional UpdateItem moves it up to `fromPosition`; handing out
   * the stale positions instead would send them at once, a burst the next window then overlaps.
   * A retried call whose first attempt applied counts twice: the error is on the safe side.
   */
  async takeRateBudget(
    identity: string,
    windowStartMs: number,
    parts: number,
    limit: number,
    fromPosition = 0,
  ): Promise<number | undefined> {
    if (fromPosition + parts > limit) return undefined;
    const key = { pk: partitionKeys.rateWindow(identity, windowStartMs), sk: sortKeys.meta };
    const names = { "#parts": "parts", "#ttl": "ttl" };
    const ttl = Math.floor(windowStartMs / 1000) + RATE_WINDOW_TTL_SECONDS;
    // Bounded: each lost race means another task moved the counter, and it only grows.
    for (let tries = 0; tries < 5; tries += 1) {
      const result = await this.update("takeRateBudget", {
        Key: key,
        UpdateExpression: "SET #parts = if_not_exists(#parts, :from) + :parts, #ttl = :ttl",
        ConditionExpression: "attribute_not_exists(#parts) OR (#parts BETWEEN :from AND :room)",
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: {
          ":parts": parts,
          ":from": fromPosition,
          ":room": limit - parts,
          ":ttl": ttl,
        },
        ReturnValues: "UPDATED_NEW",
      });
      if ("applied" in result) return Number(result.applied?.parts);
      const old = Number(result.failed?.parts?.N);
      if (!(old < fromPosition)) return undefined;
      const raised = await this.update("takeRateBudget", {
        Key: key,
        UpdateExpression: "SET #parts = :total, #ttl = :ttl",
        ConditionExpression: "#parts < :from",
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: {
          ":total": fromPosition + parts,
          ":from": fromPosition,
          ":ttl": ttl,
        },
      });
      if ("applied" in raised) return fromPosition + parts;
    }
    return undefined;
  }
}

/** What the store wrote, without the table's own attributes; the required fields checked. */
function toScheduledSend(item: Item): ScheduledSend {
  const { pk: _pk, sk: _sk, ttl: _ttl, finishedLeaseToken: _finished, ...send } = item;
  for (const field of ["sendId", "patientRef", "status", "dueAt", "expiresAt"] as const) {
    if (typeof send[field] !== "string") {
      throw new StoreUnavailableError("readSend", {
        cause: new Error(`send item ${String(item.pk)} has no string ${field}`),
      });
    }
  }
  if (!Array.isArray(send.attempts)) {
    throw new StoreUnavailableError("readSend", {
      cause: new Error(`send item ${String(item.pk)} has no attempts list`),
    });
  }
  return send as unknown as ScheduledSend;
}

function toConsent(item: Item): ConsentRecord {
  return {
    patientRef: String(item.patientRef),
    scope: String(item.scope),
    granted: item.granted === true,
    source: String(item.source),
    capturedAt: String(item.capturedAt),
    ...(typeof item.evidenceRef === "string" ? { evidenceRef: item.evidenceRef } : {}),
    at: String(item.at),
  };
}
