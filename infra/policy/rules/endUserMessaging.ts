/** End User Messaging phone numbers. */
import { isProd, resourcePolicy, type HipaaPolicy, str } from "../policyKit";

export const endUserMessagingPolicies: HipaaPolicy[] = [
  resourcePolicy({
    name: "phone-number-two-way-and-opt-outs",
    control: "U1",
    sources: ["AWS End User Messaging two-way-sms and opt-out docs"],
    description:
      "Numbers deliver two-way SMS to a topic, keep an explicit opt-out list, and are deletion-protected in prod",
    enforcementLevel: "mandatory",
    remediation: "keep the Messaging phone number settings; set deletionProtection: true in prod",
    types: ["aws:pinpoint/smsvoicev2PhoneNumber:Smsvoicev2PhoneNumber"],
    check: (p) => [
      ...(p.twoWayChannelEnabled === true && str(p.twoWayChannelArn)
        ? []
        : ["replies have nowhere to go (two-way off)"]),
      ...(str(p.optOutListName) ? [] : ["the number uses the shared Default opt-out list"]),
      ...(isProd(p) && p.deletionProtectionEnabled !== true
        ? ["a production number can be released"]
        : []),
    ],
  }),
];
