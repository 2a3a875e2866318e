import type { StoreConfig } from "../config";
import type { ConversationStore } from "./conversationStore";
import { DynamoDbConversationStore } from "./dynamoDbStore";
import { SqliteConversationStore } from "./sqliteStore";

export function openStore(config: StoreConfig, region: string): ConversationStore {
  return config.kind === "sqlite"
    ? new SqliteConversationStore(config.path)
    : DynamoDbConversationStore.create(region, config.table);
}
