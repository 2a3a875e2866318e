import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

type Statement = aws.types.input.iam.GetPolicyDocumentStatementArgs;

/** The resource-policy statement that refuses any request not made over TLS (S2, Q1, A3). */
export function denyInsecureTransport(
  actions: string[],
  resources: pulumi.Input<string>[],
): Statement {
  return {
    sid: "DenyInsecureTransport",
    effect: "Deny",
    principals: [{ type: "*", identifiers: ["*"] }],
    actions,
    resources,
    conditions: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
  };
}

/** Use of a CMK allowed only when the named AWS service makes the call on the caller's behalf. */
export function keyThroughServiceOnly(
  sid: string,
  actions: string[],
  keyArn: pulumi.Input<string>,
  viaService: string,
): Statement {
  return {
    sid,
    actions,
    resources: [keyArn],
    conditions: [{ test: "StringEquals", variable: "kms:ViaService", values: [viaService] }],
  };
}
