import { runStackUnderMocks, type Registered } from "../../infra/review/mockProgram";
import { one } from "../support/stackResources";
import { AGENT_PATHS } from "../../infra/components/webhookLoadBalancer";
import { WEBHOOK_PATH } from "../../runtime/src/contract/runtimeContract";

/**
 * `/mcp` and the A2A agent card reach the service the way `/v1` does: the HTTPS listener forwards
 * them to the tasks, the API rate rule limits them with 429, and the managed rules judge them
 * (the webhook alone is exempt). Checked by evaluating the WAF's statements against request paths.
 */
type Statement = {
  byteMatchStatement?: { positionalConstraint: string; searchString: string };
  notStatement?: { statement: Statement };
};
type Rule = {
  name: string;
  action?: unknown;
  statement: {
    rateBasedStatement?: { scopeDownStatement: Statement };
    managedRuleGroupStatement?: { scopeDownStatement: Statement };
  };
};

function matches(statement: Statement, path: string): boolean {
  if (statement.notStatement) return !matches(statement.notStatement.statement, path);
  const byte = statement.byteMatchStatement;
  if (!byte) throw new Error("statement kind not modelled by this test");
  switch (byte.positionalConstraint) {
    case "STARTS_WITH":
      return path.startsWith(byte.searchString);
    case "EXACTLY":
      return path === byte.searchString;
    default:
      throw new Error(`constraint ${byte.positionalConstraint} not modelled by this test`);
  }
}

let resources: Registered[];
beforeAll(async () => {
  ({ resources } = await runStackUnderMocks("prod"));
}, 60_000);

const AGENT_REQUESTS = ["/v1/messages", "/mcp", "/.well-known/agent-card.json"];

describe("agent routes through the load balancer and the WAF", () => {
  it("names /mcp and the agent card among the agent paths", () => {
    expect(AGENT_PATHS).toEqual(["/v1/", "/mcp", "/.well-known/agent-card.json"]);
    for (const path of AGENT_REQUESTS) {
      expect(AGENT_PATHS.some((p) => path.startsWith(p))).toBe(true);
    }
  });

  it("the HTTPS listener forwards every path to the service (no rule hides /mcp)", () => {
    const https = resources.find(
      (r) => r.type === "aws:lb/listener:Listener" && r.inputs.port === 443,
    )!;
    expect(https.inputs.defaultActions).toEqual([expect.objectContaining({ type: "forward" })]);
    expect(resources.filter((r) => r.type === "aws:lb/listenerRule:ListenerRule")).toEqual([]);
  });

  it("rate-limits /mcp and the card like /v1 (429) and applies the managed rules to them", () => {
    const rules = one(resources, "aws:wafv2/webAcl:WebAcl").inputs.rules as Rule[];
    const rule = (name: string) => rules.find((r) => r.name === name)!;
    const api = rule("rate-limit-api");
    expect(api.action).toEqual({ block: { customResponse: { responseCode: 429 } } });
    const webhookRate = rule("rate-limit-webhook");
    const managed = rules.filter((r) => r.statement.managedRuleGroupStatement);
    expect(managed.map((r) => r.name)).toEqual([
      "AWSManagedRulesCommonRuleSet",
      "AWSManagedRulesKnownBadInputsRuleSet",
    ]);
    for (const path of AGENT_REQUESTS) {
      expect(matches(api.statement.rateBasedStatement!.scopeDownStatement, path)).toBe(true);
      expect(matches(webhookRate.statement.rateBasedStatement!.scopeDownStatement, path)).toBe(
        false,
      );
      for (const group of managed) {
        expect(matches(group.statement.managedRuleGroupStatement!.scopeDownStatement, path)).toBe(
          true,
        );
      }
    }
    // and the webhook stays outside the managed rules, as before
    for (const group of managed) {
      expect(
        matches(group.statement.managedRuleGroupStatement!.scopeDownStatement, WEBHOOK_PATH),
      ).toBe(false);
    }
  });

  it("redacts the bearer token MCP sends from WAF logs", () => {
    const logging = one(
      resources,
      "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
    );
    expect(logging.inputs.redactedFields).toContainEqual({
      singleHeader: { name: "authorization" },
    });
  });
});
