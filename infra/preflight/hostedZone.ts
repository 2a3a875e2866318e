import { GetHostedZoneCommand, Route53Client } from "@aws-sdk/client-route-53";
import type { StackConfig } from "../stackConfig";
import { couldNotCheck, errorName, missing, ok, type Finding } from "./finding";

const CHECK = "Route 53 hosted zone";

/** The stack writes the alias record in hostedZoneId, so the zone must exist, be public and hold domainName. */
export async function checkHostedZone(
  route53: Route53Client,
  config: StackConfig,
): Promise<Finding> {
  const id = config.hostedZoneId;
  let zone;
  try {
    zone = (await route53.send(new GetHostedZoneCommand({ Id: id }))).HostedZone;
  } catch (err) {
    if (errorName(err) === "NoSuchHostedZone" || errorName(err) === "InvalidInput") {
      return missing(
        CHECK,
        `no hosted zone ${id} in this account`,
        "set hostedZoneId to the id of the public zone that holds domainName (aws route53 list-hosted-zones-by-name)",
      );
    }
    return couldNotCheck(CHECK, "route53:GetHostedZone", err);
  }
  const zoneName = (zone?.Name ?? "").replace(/\.$/, "").toLowerCase();
  const host = config.domainName.toLowerCase();
  if (host !== zoneName && !host.endsWith(`.${zoneName}`)) {
    return missing(
      CHECK,
      `zone ${id} is ${zoneName}, which does not hold ${config.domainName}`,
      `set hostedZoneId to the zone of ${config.domainName}, or domainName to a name under ${zoneName}`,
    );
  }
  if (zone?.Config?.PrivateZone) {
    return missing(
      CHECK,
      `zone ${id} (${zoneName}) is private: SNS and EventBridge could not resolve ${config.domainName}`,
      "set hostedZoneId to the public zone of the same name",
    );
  }
  return ok(CHECK, `${id} (${zoneName}) is public and holds ${config.domainName}`);
}
