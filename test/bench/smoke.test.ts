/**
 * The benchmark pipeline at a size CI can afford: generate -> simulated tenant
 * -> observe -> plan -> apply -> re-plan. Correctness only; nothing here is
 * timed (npm run bench measures).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { applyPlan } from "../../lib/apply/index.js";
import { validateDesiredState } from "../../lib/model/validate.js";
import { plan } from "../../lib/plan/index.js";
import { observe } from "../../lib/provider/observe.js";
import { SimulatedTenant, validateFixture } from "../../providers/simulated/index.js";
import { generateScenario, type ScenarioOptions } from "../../scripts/gen/index.js";

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "exoform-bench-smoke-"));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function planScenario(options: ScenarioOptions) {
  const scenario = generateScenario(options);
  const tenant = SimulatedTenant.create(join(tempDir(), "tenant.db"), scenario.fixture);
  const validated = validateDesiredState(scenario.desired, "generated desired state");
  expect(validated.diagnostics).toEqual([]);
  const desired = validated.state!;
  const doc = plan(desired, await observe(tenant));
  return { scenario, tenant, desired, doc };
}

describe("the benchmark pipeline at small scale", () => {
  it("plans, applies and converges a generated tenant with 5% drift, then re-plans to nothing", async () => {
    const { scenario, tenant, desired, doc } = await planScenario({ mailboxes: 200, grantsPerMailbox: 5, drift: 0.05, seed: 7 });
    try {
      expect(doc.diagnostics).toEqual([]);
      expect(doc.actions).toHaveLength(scenario.summary.expectedActions);
      expect(scenario.summary.expectedActions).toBeGreaterThan(0);
      const types = new Set(doc.actions.map((a) => a.type));
      for (const t of ["permission.grant", "permission.revoke", "mailbox.create", "mailbox.convert", "user.blockSignIn", "user.removeLicense"]) {
        expect(types, `a 5% drift at 200 mailboxes exercises ${t}`).toContain(t);
      }

      const result = await applyPlan(doc, tenant);
      expect(result.summary.failed).toBe(0);
      expect(result.converged).toBe(true);

      const again = plan(desired, await observe(tenant));
      expect(again.diagnostics).toEqual([]);
      expect(again.actions).toEqual([]);
    } finally {
      tenant.close();
    }
  });

  it("plans no action at all when the drift is zero", async () => {
    const { scenario, tenant, doc } = await planScenario({ mailboxes: 300, grantsPerMailbox: 6, drift: 0, seed: 3 });
    tenant.close();
    expect(scenario.summary.expectedActions).toBe(0);
    expect(doc.diagnostics).toEqual([]);
    expect(doc.actions).toEqual([]);
  });
});

describe("generateScenario", () => {
  it("gives deep-equal documents for the same seed and different ones for another seed", () => {
    const options = { mailboxes: 150, grantsPerMailbox: 4, drift: 0.1 };
    const a = generateScenario({ ...options, seed: 11 });
    expect(generateScenario({ ...options, seed: 11 })).toEqual(a);
    expect(generateScenario({ ...options, seed: 12 }).fixture).not.toEqual(a.fixture);
  });

  it("drifts exactly round(mailboxes x drift) mailboxes and keeps the tenant fixture valid", () => {
    const { fixture, summary } = generateScenario({ mailboxes: 1000, grantsPerMailbox: 3, drift: 0.13, seed: 5 });
    const drifted = Object.values(summary.drifted).reduce((a, b) => a + b, 0);
    expect(drifted).toBe(130);
    expect(() => validateFixture(fixture, "generated fixture")).not.toThrow();
    expect(summary.desiredGrants).toBe(3000);
  });

  it("refuses sizes and shares it cannot generate, naming the option", () => {
    expect(() => generateScenario({ mailboxes: 0, grantsPerMailbox: 1, drift: 0 })).toThrow(/mailboxes/);
    expect(() => generateScenario({ mailboxes: 10, grantsPerMailbox: 30, drift: 0 })).toThrow(/grants per mailbox/);
    expect(() => generateScenario({ mailboxes: 10, grantsPerMailbox: 1, drift: 1.5 })).toThrow(/drift/);
  });
});
