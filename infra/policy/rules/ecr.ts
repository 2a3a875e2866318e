/** The runtime's image repository. */
import { resourcePolicy, type HipaaPolicy, type Props } from "../policyKit";

export const ecrPolicies: HipaaPolicy[] = [
  resourcePolicy({
    name: "ecr-repository-secure",
    control: "F4",
    sources: [
      "compliance-policies aws-ecr-repository-*",
      "CKV_AWS_51",
      "CKV_AWS_136",
      "CKV_AWS_163",
    ],
    description: "Image repositories are immutable, scan on push and use a customer-managed key",
    enforcementLevel: "mandatory",
    remediation: "keep the RuntimeImage repository settings",
    types: ["aws:ecr/repository:Repository"],
    check: (p) => [
      ...(p.imageTagMutability === "IMMUTABLE" ? [] : ["image tags can be overwritten"]),
      ...((p.imageScanningConfiguration as Props | undefined)?.scanOnPush === true
        ? []
        : ["images are not scanned on push"]),
      ...(((p.encryptionConfigurations as Props[] | undefined) ?? []).some(
        (e) => e.encryptionType === "KMS",
      )
        ? []
        : ["the repository is not KMS-encrypted"]),
    ],
  }),
];
