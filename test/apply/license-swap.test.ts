/**
 * Changing a shared mailbox between Exchange Online Plan 1 and Plan 2
 * licenses, end to end against the simulated tenant, which refuses a user
 * holding both (MutuallyExclusiveViolation, R7.2) as Graph does.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { applyPlan } from "../../lib/apply/index.js";
import { validateDesiredState } from "../../lib/model/validate.js";
import type { CanonicalDesiredState } from "../../lib/model/normalize.js";
import { plan } from "../../lib/plan/planner.js";
import { observe } from "../../lib/provider/observe.js";
import { SimulatedTenant, loadFixture } from "../../providers/simulated/index.js";

const harry = "harry.wells@contoso.com";

function contosoWithHarryOn(license: string): CanonicalDesiredState {
  const doc = JSON.parse(readFileSync("examples/contoso/desired-state.json", "utf8")) as {
    sharedMailboxes: Array<{ address: string; license?: string }>;
  };
  for (const m of doc.sharedMailboxes) if (m.address === harry) m.license = license;
  const { state, diagnostics } = validateDesiredState(doc, "desired-state.json");
  if (!state) throw new Error(diagnostics.map((d) => d.message).join("\n"));
  return state;
}

async function converge(tenant: SimulatedTenant, desired: CanonicalDesiredState) {
  const doc = plan(desired, await observe(tenant), {});
  expect(doc.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const result = await applyPlan(doc, tenant, { verify: false });
  expect(result.summary.failed).toBe(0);
  const again = plan(desired, await observe(tenant), {});
  return { doc, again };
}

describe("changing a shared mailbox's Exchange plan", () => {
  it("swaps Plan 2 for a Plan 1 bundle in one assignLicense call, which the tenant accepts, and converges", async () => {
    const dir = mkdtempSync(join(tmpdir(), "exoform-swap-"));
    const tenant = SimulatedTenant.create(join(dir, "tenant.db"), loadFixture("contoso"));
    try {
      await converge(tenant, contosoWithHarryOn("EXCHANGEENTERPRISE"));
      expect((await tenant.getUser(harry))?.licenses).toEqual(["EXCHANGEENTERPRISE"]);

      const { doc, again } = await converge(tenant, contosoWithHarryOn("SPB"));
      const licenseActions = doc.actions.filter((a) => a.target === harry && a.type.startsWith("user."));
      expect(licenseActions.map((a) => [a.type, a.params])).toEqual([["user.assignLicense", { sku: "SPB", replaces: ["EXCHANGEENTERPRISE"] }]]);
      expect((await tenant.getUser(harry))?.licenses).toEqual(["SPB"]);
      expect(again.actions).toEqual([]);
      const refused = tenant.readLog().filter((e) => e.outcome === "error");
      expect(refused).toEqual([]);
    } finally {
      tenant.close();
    }
  });
});
