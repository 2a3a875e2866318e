/**
 * Run once when the image is built (runtime/Dockerfile), with NODE_COMPILE_CACHE set: loads the
 * modules a production start loads (the app, and the AWS SDK clients main.ts loads when they are
 * configured) without starting anything, so that Node writes their compiled code into the cache
 * the image ships. The task's root filesystem is read-only: a start reads that cache, never
 * writes one.
 */
import "./compileCache";
import "./app";
import "./auth/rotatingSecret";
import "./logging/cloudWatchAuditLog";
import "./outbound/queue/sqsOutboundQueue";
import "./sms/endUserMessagingGateway";
import "./sms/numberReadiness";
import "./store/dynamoDbStore";
import "@aws-sdk/client-cloudwatch-logs";
import "@aws-sdk/client-scheduler";
import "@aws-sdk/client-secrets-manager";
import "@aws-sdk/client-sqs";
