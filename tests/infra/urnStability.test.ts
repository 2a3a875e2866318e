import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runStackUnderMocks } from "../../infra/review/mockProgram";

/**
 * A resource's URN is its identity in the state: a refactor that changes one (a new parent, a new
 * name) replaces the real resource unless an alias names the old URN. The fixtures list every URN
 * the program registered before the component refactor (issue 10, point 5); each must still be
 * registered, or be claimed by an alias of a resource that is.
 *
 * `UPDATE_URN_FIXTURES=1` rewrites them, for a change that adds resources on purpose.
 */
const fixture = (stack: string) => join(__dirname, "fixtures", `urns.${stack}.json`);

/** Resources removed on purpose since the fixtures were taken, each with why. */
const REMOVED_ON_PURPOSE: readonly { urn: RegExp; why: string }[] = [
  {
    urn: /WebhookLoadBalancer\$aws:lb\/listener:Listener::eum-sms-\w+-web-http$/,
    why: "issue 14 item 5: the port-80 redirect listener served no caller (all use https)",
  },
  {
    urn: /WebhookLoadBalancer\$aws:vpc\/securityGroupIngressRule:SecurityGroupIngressRule::eum-sms-\w+-web-in-80-\d+$/,
    why: "issue 14 item 5: with no port-80 listener, no port-80 ingress",
  },
];

describe.each(["dev", "staging", "prod"])("URNs of the %s stack", (stack) => {
  it("are all still registered, or claimed by an alias", async () => {
    const { resources } = await runStackUnderMocks(stack);
    const urns = resources.map((r) => r.urn).sort();
    expect(urns.every((urn) => urn.startsWith(`urn:pulumi:${stack}::eum-sms-stack::`))).toBe(true);
    if (process.env.UPDATE_URN_FIXTURES === "1") {
      writeFileSync(fixture(stack), JSON.stringify(urns, null, 2) + "\n");
    }
    const before = (JSON.parse(readFileSync(fixture(stack), "utf8")) as string[]).filter(
      (urn) => !REMOVED_ON_PURPOSE.some((removed) => removed.urn.test(urn)),
    );
    const known = new Set([...urns, ...resources.flatMap((r) => r.aliasUrns)]);
    expect(before.filter((urn) => !known.has(urn))).toEqual([]);
  }, 60_000);
});
