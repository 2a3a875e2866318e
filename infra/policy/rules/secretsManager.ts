/** Secrets Manager secrets. */
import { refersTo, resourcePolicy, stackPolicy, type HipaaPolicy, str } from "../policyKit";

export const secretsManagerPolicies: HipaaPolicy[] = [
  resourcePolicy({
    name: "secret-encrypted-with-cmk",
    control: "M1",
    sources: ["HIPAA.Security-SecretsManagerUsingKMSKey", "CKV_AWS_149"],
    description: "Secrets are encrypted with a customer-managed key",
    enforcementLevel: "mandatory",
    remediation: "set kmsKeyId to the messaging key (RuntimeSecrets)",
    types: ["aws:secretsmanager/secret:Secret"],
    check: (p) => (str(p.kmsKeyId) ? [] : ["the secret uses the AWS-managed key"]),
  }),
  stackPolicy({
    name: "secrets-rotated",
    control: "M1",
    sources: [
      "HIPAA.Security-SecretsManagerRotationEnabled",
      "AwsSolutions-SMG4",
      "CKV2_AWS_57",
      "CKV_AWS_304",
    ],
    description:
      "Secrets rotate on a schedule, or carry a RotationExempt tag with the reason (the patient-reference HMAC key: rotating it re-keys every stored reference)",
    enforcementLevel: "mandatory",
    remediation:
      "rotate the secret with the SecretRotation component (config secretRotationDays), or tag it RotationExempt with the reason",
    check: (resources) => {
      const rotations = resources.filter(
        (r) => r.type === "aws:secretsmanager/secretRotation:SecretRotation",
      );
      return (
        resources
          .filter((r) => r.type === "aws:secretsmanager/secret:Secret")
          // A documented exception, for the auditor to read: the tag says why.
          .filter(
            (secret) => !(secret.props.tags as Record<string, string> | undefined)?.RotationExempt,
          )
          .filter((secret) => !rotations.some((rot) => refersTo(rot, "secretId", secret)))
          .map((secret) => ({ message: `secret ${secret.name} never rotates`, urn: secret.urn }))
      );
    },
  }),
];
