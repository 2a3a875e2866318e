import type { StoreConfig } from "../config";
import type { ConversationStore } from "./conversationStore";
import type { OutboundStore } from "./outboundStore";
import { SqliteConversationStore } from "./sqliteStore";

/** The service's one store: conversations and the outbound queue's records, in one place. */
export type ServiceStore = ConversationStore & OutboundStore;

/**
 * Opens the configured store. The DynamoDB store (and with it the DynamoDB SDK) is loaded only
 * when configured, so an embedded-store start does not pay for loading it.
 */
export async function openStore(config: StoreConfig, region: string): Promise<ServiceStore> {
  if (config.kind === "sqlite") return new SqliteConversationStore(config.path);
  const { DynamoDbConversationStore } = await import("./dynamoDbStore");
  return DynamoDbConversationStore.create(region, config.table);
}
