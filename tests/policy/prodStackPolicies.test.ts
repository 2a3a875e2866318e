import { mandatoryViolations, runPolicies } from "../../infra/review/runPolicies";
import { runStackUnderMocks } from "../../infra/review/mockProgram";

it("the prod stack raises no mandatory violation", async () => {
  const { resources } = await runStackUnderMocks("prod");
  const results = await runPolicies(
    resources.filter((r) => r.custom).map((r) => ({ type: r.type, name: r.name, props: r.state })),
  );
  expect(results.length).toBeGreaterThan(30);
  expect(mandatoryViolations(results)).toEqual([]);
  // the policies did look at the stack: resource policies matched resources
  // three keys of the Encryption component and the trail replica's key in the second region
  expect(resources.filter((r) => r.type === "aws:kms/key:Key")).toHaveLength(4);
});
