import type { Logger } from "pino";
import type { ConversationService } from "../conversations/conversationService";
import type { LocalLoop } from "../routes/simulate";
import type { OptOutStatusReader } from "./optOutStatus";

/** What the MCP tools (native and setup-guide compatible) are built from. */
export interface McpToolDeps {
  service: ConversationService;
  optOuts: OptOutStatusReader;
  /** Present in mock mode only: enables `simulate_user_sms_response`. */
  localLoop: LocalLoop | undefined;
  log: Logger;
  version: string;
}
