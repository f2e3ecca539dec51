/**
 * The example policies: examples/policy/policy.json, the starting policy
 * `exoform init` writes for any tenant, and examples/policy/contoso.json,
 * the contoso example's, checked against the contoso plan.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { plan } from "../../lib/plan/planner.js";
import { evaluatePolicy, loadPolicy, mandatoryFailed, policyContextFromObserved } from "../../lib/policy/index.js";
import { contosoDesired, contosoTenant } from "../plan/contoso.js";

function contosoResults(policy: ReturnType<typeof loadPolicy>) {
  const observed = contosoTenant();
  return evaluatePolicy(plan(contosoDesired(), observed, {}), policy, policyContextFromObserved(observed));
}

describe("examples/policy/policy.json, the starting policy for any tenant", () => {
  it("names no domain, address or person, so it fits a tenant that is not contoso", () => {
    const text = readFileSync("examples/policy/policy.json", "utf8");
    expect(text).not.toMatch(/contoso|@|\.com\b/i);
    expect(loadPolicy("examples/policy/policy.json").rules.map((r) => [r.id, r.kind, r.level])).toEqual([
      ["concurrent-users", "maxMembers", "advisory"],
      ["legal-hold-review", "holdReview", "mandatory"],
      ["no-deletions", "noDestructive", "advisory"],
    ]);
  });

  it("fails its mandatory hold review on new access to a mailbox on hold until the grant is listed as reviewed", () => {
    const results = contosoResults(loadPolicy("examples/policy/policy.json"));
    expect(mandatoryFailed(results)).toBe(true);
    expect(results.find((r) => r.ruleId === "legal-hold-review")?.violations.map((v) => v.target)).toEqual(["legal@contoso.com"]);
  });
});

describe("examples/policy/contoso.json, the contoso example's policy", () => {
  it("loads, passes its mandatory rules on the contoso plan and flags the destructive steps as advisory", () => {
    const results = contosoResults(loadPolicy("examples/policy/contoso.json"));
    expect(mandatoryFailed(results)).toBe(false);
    const failed = results.filter((r) => !r.passed).map((r) => [r.ruleId, r.level, r.violations.map((v) => v.target)]);
    expect(failed).toEqual([["no-deletions", "advisory", ["events-2025@contoso.com", "support@contoso.com"]]]);
  });

  it("fails its mandatory hold review when a grant on the legal hold mailbox was not signed off", () => {
    const policy = loadPolicy("examples/policy/contoso.json");
    const unreviewed = { ...policy, rules: policy.rules.map((r) => (r.kind === "holdReview" ? { ...r, reviewed: [] } : r)) };
    const results = contosoResults(unreviewed);
    expect(mandatoryFailed(results)).toBe(true);
    expect(results.find((r) => r.ruleId === "legal-hold-review")?.violations.map((v) => v.target)).toEqual(["legal@contoso.com"]);
  });
});
