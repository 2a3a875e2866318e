// The policy pack reviewers run: `pulumi preview --policy-pack infra/policy`.
// Constructing a PolicyPack starts the analyzer's gRPC server, so nothing else imports this file;
// tests and the offline review import ./hipaaPolicies.
import { PolicyPack } from "@pulumi/policy";
import { hipaaPolicies } from "./hipaaPolicies";

new PolicyPack("eum-sms-hipaa", {
  description: "HIPAA controls for the eum-sms-stack (docs/hipaa-controls.md)",
  policies: hipaaPolicies.map(({ info: _info, ...policy }) => policy),
});
