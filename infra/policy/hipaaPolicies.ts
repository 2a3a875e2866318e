/**
 * The HIPAA controls of the catalogue (docs/hipaa-controls.md) as Pulumi policies, one file per
 * service under rules/, as cdk-nag keeps its rules. Plain data and functions: tests and the offline
 * review import this module directly, and `index.ts` wraps it in a PolicyPack for
 * `pulumi preview --policy-pack infra/policy`.
 */
import type { HipaaPolicy, PeerRuleNote } from "./policyKit";
import { kmsPolicies } from "./rules/kms";
import { snsPolicies } from "./rules/sns";
import { sqsPolicies } from "./rules/sqs";
import { eventBridgePolicies } from "./rules/eventBridge";
import { schedulerPolicies } from "./rules/scheduler";
import { cloudWatchAlarmPolicies } from "./rules/cloudWatchAlarms";
import { logMetricPolicies } from "./rules/logMetrics";
import { deadLetterQueuePolicies } from "./rules/deadLetterQueues";
import { loadBalancerNotes, loadBalancerPolicies } from "./rules/loadBalancer";
import { ecsNotes, ecsPolicies } from "./rules/ecs";
import { loggingNotes, loggingPolicies } from "./rules/logging";
import { iamNotes, iamPolicies } from "./rules/iam";
import { secretsManagerPolicies } from "./rules/secretsManager";
import { dynamoDbNotes, dynamoDbPolicies } from "./rules/dynamoDb";
import { ecrPolicies } from "./rules/ecr";
import { cloudTrailNotes, cloudTrailPolicies } from "./rules/cloudTrail";
import { networkNotes, networkPolicies } from "./rules/network";
import { endUserMessagingPolicies } from "./rules/endUserMessaging";
import { s3Notes, s3Policies } from "./rules/s3";

const byService: HipaaPolicy[] = [
  ...kmsPolicies,
  ...snsPolicies,
  ...sqsPolicies,
  ...eventBridgePolicies,
  ...schedulerPolicies,
  ...cloudWatchAlarmPolicies,
  ...logMetricPolicies,
  ...deadLetterQueuePolicies,
  ...loadBalancerPolicies,
  ...ecsPolicies,
  ...loggingPolicies,
  ...iamPolicies,
  ...secretsManagerPolicies,
  ...dynamoDbPolicies,
  ...ecrPolicies,
  ...cloudTrailPolicies,
  ...networkPolicies,
  ...endUserMessagingPolicies,
  ...s3Policies,
];

/**
 * Resource policies first, then stack policies, each in the order of the files above: the order
 * Pulumi reports them in (per resource during the preview, per stack at its end).
 */
export const hipaaPolicies: HipaaPolicy[] = [
  ...byService.filter((p) => "validateResource" in p),
  ...byService.filter((p) => !("validateResource" in p)),
];

/** What we say about the peer rules no policy lists as a source, each kept beside its service's policies. */
export const peerRuleNotes: PeerRuleNote[] = [
  ...loadBalancerNotes,
  ...ecsNotes,
  ...loggingNotes,
  ...iamNotes,
  ...dynamoDbNotes,
  ...cloudTrailNotes,
  ...networkNotes,
  ...s3Notes,
];

export { ALLOWED_SSL_POLICIES } from "./rules/loadBalancer";
export { UNSCOPABLE_ACTIONS } from "./rules/iam";

/** Policy name → the control it implements, for reports. */
export const controlOf = (name: string) => hipaaPolicies.find((p) => p.name === name)?.info;
