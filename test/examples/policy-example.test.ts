import { describe, expect, it } from "vitest";
import { plan } from "../../lib/plan/planner.js";
import { evaluatePolicy, loadPolicy, mandatoryFailed, policyContextFromObserved } from "../../lib/policy/index.js";
import { contosoDesired, contosoTenant } from "../plan/contoso.js";

describe("examples/policy/policy.json", () => {
  it("loads, passes its mandatory rules on the contoso plan and flags the destructive steps as advisory", () => {
    const policy = loadPolicy("examples/policy/policy.json");
    const observed = contosoTenant();
    const doc = plan(contosoDesired(), observed, {});
    const results = evaluatePolicy(doc, policy, policyContextFromObserved(observed));
    expect(mandatoryFailed(results)).toBe(false);
    const failed = results.filter((r) => !r.passed).map((r) => [r.ruleId, r.level, r.violations.map((v) => v.target)]);
    expect(failed).toEqual([["no-deletions", "advisory", ["events-2025@contoso.com", "support@contoso.com"]]]);
  });

  it("fails its mandatory hold review when a grant on the legal hold mailbox was not signed off", () => {
    const policy = loadPolicy("examples/policy/policy.json");
    const unreviewed = {
      ...policy,
      rules: policy.rules.map((r) => (r.kind === "holdReview" ? { ...r, reviewed: [] } : r)),
    };
    const observed = contosoTenant();
    const results = evaluatePolicy(plan(contosoDesired(), observed, {}), unreviewed, policyContextFromObserved(observed));
    expect(mandatoryFailed(results)).toBe(true);
    expect(results.find((r) => r.ruleId === "legal-hold-review")?.violations.map((v) => v.target)).toEqual(["legal@contoso.com"]);
  });
});
