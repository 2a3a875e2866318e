import * as pulumi from "@pulumi/pulumi";

/**
 * Account facts every component needs for ARNs and policy conditions; `createStack` (stack.ts)
 * reads them once per stack and hands the same object to every component.
 */
export interface AwsContext {
  accountId: pulumi.Input<string>;
  region: string;
  partition: pulumi.Input<string>;
  /** Tags for everything taggable: Environment, Service, DataClassification, ManagedBy. */
  tags: Record<string, string>;
  /** Prefix for physical names, e.g. `eum-sms-prod`. */
  namePrefix: string;
}
