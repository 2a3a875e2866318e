/**
 * The security settings every stack gets, as plain data a reviewer can read in one place. The
 * builders in components/ apply them; nothing here is overridable by stack config except where a
 * comment says so. Control ids refer to the catalogue in docs/hipaa-controls.md.
 */
export const secureDefaults = {
  /** A1: TLS 1.3 and 1.2 only, no CBC ciphers below. */
  albSslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
  /** A2 */
  albDropInvalidHeaderFields: true,
  albDesyncMitigationMode: "strictest",
  /** Above the runtime's keep-alive handling; the runtime's keepAliveTimeout is 72 s. */
  albIdleTimeoutSeconds: 60,
  /** F5: shorter than the task's stop timeout so draining finishes before SIGKILL. */
  targetDeregistrationDelaySeconds: 20,
  /** K1 */
  kmsKeyRotation: true,
  kmsDeletionWindowDays: 30,
  /** S3: SHA256 signatures; SNS's default is SHA1. */
  snsSignatureVersion: 2,
  /**
   * SNS → HTTPS delivery policy. The runtime rejects messages older than an hour (replay
   * protection), so retries must end well inside that: 3 immediate + 20 backoff retries over
   * about 20 minutes, then the redrive DLQ.
   */
  snsDeliveryPolicy: {
    healthyRetryPolicy: {
      minDelayTarget: 5,
      maxDelayTarget: 120,
      numRetries: 23,
      numNoDelayRetries: 3,
      numMinDelayRetries: 0,
      numMaxDelayRetries: 0,
      backoffFunction: "exponential",
    },
    throttlePolicy: { maxReceivesPerSecond: 50 },
    requestPolicy: { headerContentType: "text/plain; charset=UTF-8" },
  },
  /** E2: EventBridge retries 429/5xx; delivery status is useful for hours, not days. */
  eventBridgeRetry: { maximumEventAgeInSeconds: 6 * 3600, maximumRetryAttempts: 64 },
  apiDestinationRateLimitPerSecond: 50,
  /** DLQs keep failed deliveries for the longest SQS allows, 14 days. */
  dlqRetentionSeconds: 14 * 24 * 3600,
  /**
   * Q2: the outbound send queue (issue 12). Its visibility timeout is the worker's lease (60 s,
   * `leaseMs` in runtime/src/outbound/sendWorker.ts); four days of retention outlast a weekend's
   * outage; after five receives that never deleted a message it goes to the DLQ (alarmed).
   * A receive the worker hands back (ChangeMessageVisibility) counts as one of the five.
   */
  sendQueue: {
    visibilityTimeoutSeconds: 60,
    messageRetentionSeconds: 4 * 24 * 3600,
    receiveWaitTimeSeconds: 20,
    maxReceiveCount: 5,
    /** The queue-age alarm: a due send waiting longer than this is late for its patient. */
    oldestMessageAlarmSeconds: 15 * 60,
  },
  /** F4 */
  containerUser: "1000:1000",
  readonlyRootFilesystem: true,
  containerStopTimeoutSeconds: 30,
  /** ECS */
  fargatePlatformVersion: "LATEST",
  healthCheckGracePeriodSeconds: 30,
  /** WAF: AWS managed rule groups that do not block AWS's own SNS/EventBridge senders. */
  wafManagedRuleGroups: ["AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"],
  /** Standard tags; `Environment` and `Service` are added per stack. */
  tags: { DataClassification: "PHI", ManagedBy: "pulumi" },
} as const;
