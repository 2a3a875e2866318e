import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import type { TransactWriteCommandInput } from "@aws-sdk/lib-dynamodb";
import { createHash } from "node:crypto";

export type TransactItem = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];

/** The table's `ttl` attribute: epoch seconds. */
export const ttlOf = (iso: string): number => Math.floor(Date.parse(iso) / 1000);

/**
 * TransactWriteItems' ClientRequestToken (at most 36 characters), derived from the items: the
 * SDK's own retries of one call repeat it, so real DynamoDB applies the transaction once and
 * answers success instead of failing the retry on the first attempt's writes. A redelivery is a
 * new call with another receivedAt, hence another token, and meets the duplicate checks.
 */
export function clientRequestToken(items: readonly TransactItem[]): string {
  return createHash("sha256").update(JSON.stringify(items)).digest("base64url").slice(0, 36);
}

/** Indexes of the cancelled items that failed their condition. */
export function failedConditions(err: unknown): Set<number> | undefined {
  if (!(err instanceof TransactionCanceledException)) return undefined;
  const failed = new Set<number>();
  err.CancellationReasons?.forEach((r, i) => {
    if (r.Code === "ConditionalCheckFailed") failed.add(i);
  });
  return failed.size > 0 ? failed : undefined;
}
