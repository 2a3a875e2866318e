/** KMS keys: rotation, descriptions and scoped key policies. */
import { principals, resourcePolicy, statements, type HipaaPolicy, str } from "../policyKit";

export const kmsPolicies: HipaaPolicy[] = [
  resourcePolicy({
    name: "kms-key-rotation-and-description",
    control: "K1",
    sources: [
      "AwsSolutions-KMS5",
      "NIST.800.53.R5-KMSBackingKeyRotationEnabled",
      "CKV_AWS_7",
      "CKV_AWS_227",
    ],
    description:
      "Customer-managed keys rotate, are described, and never bypass the lockout safety check",
    enforcementLevel: "mandatory",
    remediation:
      "the Encryption component sets enableKeyRotation: true, a description and bypassPolicyLockoutSafetyCheck: false",
    types: ["aws:kms/key:Key"],
    check: (p) => [
      ...(p.enableKeyRotation === true ? [] : ["key rotation is off"]),
      ...(str(p.description).trim() ? [] : ["the key has no description"]),
      ...(p.bypassPolicyLockoutSafetyCheck === true
        ? ["the key bypasses the policy lockout safety check"]
        : []),
      ...(p.isEnabled === false ? ["the key is disabled"] : []),
    ],
  }),
  resourcePolicy({
    name: "kms-key-policy-scoped",
    control: "K2",
    sources: ["CKV_AWS_33", "CKV2_AWS_64"],
    description:
      "Key policies are defined, name no '*' principal, and condition every service grant",
    enforcementLevel: "mandatory",
    remediation:
      "give the key an explicit policy; scope service principals with aws:SourceAccount/aws:SourceArn or kms:EncryptionContext",
    types: ["aws:kms/key:Key"],
    check: (p) => {
      if (p.policy === undefined) return ["the key has no explicit key policy"];
      return statements(p.policy).flatMap((s) => {
        if (s.Effect === "Deny") return [];
        const who = principals(s);
        if (who.wildcard) return [`statement ${s.Sid ?? ""} allows any principal`];
        if (who.services.length > 0 && !s.Condition)
          return [`statement ${s.Sid ?? ""} grants ${who.services.join(", ")} without a condition`];
        return [];
      });
    },
  }),
];
