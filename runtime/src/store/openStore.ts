import type { StoreConfig } from "../config";
import type { ConversationStore } from "./conversationStore";
import { DynamoDbConversationStore } from "./dynamoDbStore";
import type { OutboundStore } from "./outboundStore";
import { SqliteConversationStore } from "./sqliteStore";

/** The service's one store: conversations and the outbound queue's records, in one place. */
export type ServiceStore = ConversationStore & OutboundStore;

export function openStore(config: StoreConfig, region: string): ServiceStore {
  return config.kind === "sqlite"
    ? new SqliteConversationStore(config.path)
    : DynamoDbConversationStore.create(region, config.table);
}
