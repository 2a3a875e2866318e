/** The service's name and version as agents see them (MCP `serverInfo`, the A2A card). */
export const SERVICE_NAME = "eum-sms";
/** Kept equal to package.json's version (a test checks it). */
export const SERVICE_VERSION = "0.1.0";
